/*
 * Contact URNs: "scheme:path". Every URN is stored and compared in its normalised form, so two
 * spellings of one address must normalise to the same string and anything ambiguous is refused
 * with a message a flow author can act on, rather than guessed at.
 *
 * Whole URN
 * - Surrounding whitespace is trimmed. The scheme is everything before the first ":"; it is
 *   matched case-insensitively (ASCII only) and stored lower-cased.
 * - At most 255 characters (Unicode code points) in normalised form. Input longer than 1,024
 *   UTF-16 units is refused before any parsing, with the same message.
 * - Control characters (Cc), invisible formatting characters (Cf: zero-width space, bidi marks,
 *   BOM, soft hyphen...), private-use characters and unpaired surrogates are refused anywhere,
 *   in every scheme: they cannot be seen, so two URNs that look identical could differ.
 * - An empty path is refused. Whitespace inside a path is refused, except the tel separators.
 *
 * tel — E.164, e.g. tel:+250788123123
 * - Separators are removed: space, no-break spaces (U+00A0, U+2007, U+202F, which is how pasted
 *   formatted numbers arrive), "-", the Unicode hyphens and dashes U+2010..U+2014 and U+2212,
 *   ".", "(" and ")". Anything else (letters, "/", ";ext=", "%2B", other whitespace) is refused.
 * - Then: "+" followed by 8..15 ASCII digits, the first not 0. A leading "00" international
 *   prefix is read as "+". A number with neither is refused: we never guess a country.
 *
 * whatsapp — the international number without "+", e.g. whatsapp:250788123123
 * - One leading "+" is dropped. Then 8..15 ASCII digits only (no separators), and the first
 *   digit must not be 0: WhatsApp ids never start with 0, so 0788123123 is a local number and
 *   00250... a dialling prefix, both of which would silently become a different contact.
 *
 * telegram — a chat id or a username
 * - Chat id: optional "-" then 1..19 ASCII digits, no leading zero (so "007" and "7" cannot be
 *   two contacts), within the signed 64-bit range Telegram uses.
 * - Username: one leading "@" is dropped; 5..32 characters of A-Z a-z 0-9 _, starting with a
 *   letter (Telegram's own rule); stored lower-cased because Telegram usernames are
 *   case-insensitive. "@12345" is refused (a username cannot start with a digit) rather than
 *   reinterpreted as a chat id, since the "@" says the author meant a username.
 *
 * mailto — e.g. mailto:ana@example.org
 * - ASCII only (international domains go in punycode, xn--...), lower-cased as a whole: mail
 *   systems treat the local part case-insensitively in practice and duplicates are worse.
 * - Exactly one "@". Local part: 1..64 characters of letters, digits and !#$%&'*+/=?^_`{|}~-
 *   with "." allowed but not first, last or doubled (quoted local parts are refused).
 * - Domain: at most 253 characters, at least two dot-separated labels of 1..63 letters, digits
 *   and "-" (not first or last); the last label starts with a letter, which refuses IP
 *   addresses and single-label hosts such as "localhost". No trailing dot.
 * - Mailto URI extras are not decoded: "?subject=..." or "%40" make the address invalid or are
 *   kept literally.
 *
 * ext — an identifier in some external system, e.g. ext:crm-000123
 * - Any printable non-whitespace characters, kept exactly as given (case-sensitive, no Unicode
 *   normalisation: the external system compares its ids byte for byte). With the 255 limit on
 *   the whole URN, the path is at most 251 characters.
 */

export type UrnScheme = "tel" | "whatsapp" | "telegram" | "mailto" | "ext";

export interface ParsedUrn {
  scheme: UrnScheme;
  path: string;
  /** Normalised "scheme:path"; equal strings mean the same contact address. */
  urn: string;
}

export type UrnError = { error: string };

export const MAX_URN_LENGTH = 255;
const MAX_RAW_UNITS = 1024;

const SCHEMES: readonly UrnScheme[] = ["tel", "whatsapp", "telegram", "mailto", "ext"];
const EXAMPLE = "tel:+250788123123";

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const CONTROL = /\p{Cc}/u;
const FORMAT = /\p{Cf}/u;
const WHITESPACE = /\s/;

export function parseUrn(raw: string): ParsedUrn | UrnError {
  if (typeof raw !== "string") return { error: "URN must be a string" };
  const text = raw.trim();
  if (text === "") return { error: "URN is empty" };
  if (text.length > MAX_RAW_UNITS) return tooLong();

  const bad = INVISIBLE.exec(text);
  if (bad) return { error: describeInvisible(bad[0]) };

  const colon = text.indexOf(":");
  if (colon <= 0) return { error: `missing scheme; write scheme:path, e.g. ${EXAMPLE}` };
  const scheme = asciiLower(text.slice(0, colon));
  if (!isScheme(scheme)) {
    return { error: `unknown scheme ${quote(text.slice(0, colon))}; use tel, whatsapp, telegram, mailto or ext` };
  }
  const rawPath = text.slice(colon + 1);
  if (rawPath === "") return { error: `empty path after "${scheme}:"` };

  const path = normalisePath(scheme, rawPath);
  if (typeof path !== "string") return path;
  const urn = `${scheme}:${path}`;
  if (codePointLength(urn) > MAX_URN_LENGTH) return tooLong();
  return { scheme, path, urn };
}

/** The path of a URN, for people: "tel:+250788123123" -> "+250788123123". Never throws. */
export function urnDisplay(urn: string): string {
  if (typeof urn !== "string") return "";
  const parsed = parseUrn(urn);
  if ("urn" in parsed) return parsed.path;
  // An unparseable URN is still shown as well as possible: notes must not fail because of it.
  const colon = urn.indexOf(":");
  return (colon >= 0 ? urn.slice(colon + 1) : urn).trim();
}

function normalisePath(scheme: UrnScheme, path: string): string | UrnError {
  switch (scheme) {
    case "tel":
      return normaliseTel(path);
    case "whatsapp":
      return normaliseWhatsapp(path);
    case "telegram":
      return normaliseTelegram(path);
    case "mailto":
      return normaliseEmail(path);
    case "ext":
      return normaliseExt(path);
  }
}

function isTelSeparator(c: string): boolean {
  switch (c) {
    case " ":
    case "\u00a0":
    case "\u2007":
    case "\u202f":
    case "-":
    case "\u2010":
    case "\u2011":
    case "\u2012":
    case "\u2013":
    case "\u2014":
    case "\u2212":
    case ".":
    case "(":
    case ")":
      return true;
    default:
      return false;
  }
}

function normaliseTel(path: string): string | UrnError {
  let compact = "";
  for (const c of path) {
    if (isTelSeparator(c)) continue;
    if (isDigit(c) || c === "+") {
      compact += c;
      continue;
    }
    const what = WHITESPACE.test(c) ? `whitespace ${codePoint(c)}` : quote(c);
    return { error: `tel number may contain only digits, a leading + and the separators space - . ( ); found ${what}` };
  }
  if (compact === "") return { error: `tel number has no digits, e.g. ${EXAMPLE}` };
  if (compact.indexOf("+", 1) !== -1) return { error: `"+" may only start a tel number, e.g. ${EXAMPLE}` };

  let digits: string;
  if (compact.startsWith("+")) digits = compact.slice(1);
  else if (compact.startsWith("00")) digits = compact.slice(2);
  else {
    return {
      error: `tel number ${quote(path.trim())} is not E.164: write + and the country code, e.g. ${EXAMPLE} (local numbers are not accepted)`,
    };
  }
  if (digits.startsWith("0")) return { error: "tel number cannot start with +0: country codes never begin with 0" };
  if (digits.length < 8 || digits.length > 15) {
    return { error: `tel number must have 8 to 15 digits after +, got ${digits.length}` };
  }
  return `+${digits}`;
}

function normaliseWhatsapp(path: string): string | UrnError {
  const digits = path.startsWith("+") ? path.slice(1) : path;
  if (digits === "" || !allChars(digits, isDigit)) {
    return { error: "whatsapp id must be digits only: the international number without + or separators, e.g. whatsapp:250788123123" };
  }
  if (digits.startsWith("0")) {
    return { error: "whatsapp id cannot start with 0: use the international number without + or 00, e.g. whatsapp:250788123123" };
  }
  if (digits.length < 8 || digits.length > 15) {
    return { error: `whatsapp id must have 8 to 15 digits, got ${digits.length}` };
  }
  return digits;
}

const INT64_MAX = 9223372036854775807n;

function normaliseTelegram(path: string): string | UrnError {
  if (!path.startsWith("@")) {
    const negative = path.startsWith("-");
    const digits = negative ? path.slice(1) : path;
    if (digits !== "" && allChars(digits, isDigit)) {
      if (digits.startsWith("0")) return { error: "telegram chat id cannot start with 0" };
      const limit = negative ? INT64_MAX + 1n : INT64_MAX;
      if (digits.length > 19 || BigInt(digits) > limit) {
        return { error: "telegram chat id is out of range (it must fit in a signed 64-bit integer)" };
      }
      return path;
    }
    if (negative) return { error: "telegram chat id must be digits after -, e.g. telegram:-1001234567890" };
  }
  const name = path.startsWith("@") ? path.slice(1) : path;
  if (!allChars(name, isWordChar)) {
    return { error: "telegram username may contain only letters, digits and _, e.g. telegram:@handover_bot" };
  }
  if (name.length < 5 || name.length > 32) {
    return { error: `telegram username must be 5 to 32 characters, got ${name.length}` };
  }
  if (!isAsciiLetter(name[0])) return { error: "telegram username must start with a letter" };
  return asciiLower(name);
}

const LOCAL_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

function normaliseEmail(path: string): string | UrnError {
  const invalid = (why: string): UrnError => ({ error: `${quote(path)} is not a plausible email address: ${why}` });
  for (const c of path) {
    if (WHITESPACE.test(c)) return invalid("it contains whitespace");
    if (c.charCodeAt(0) > 0x7e) return invalid("only ASCII is accepted (write international domains in punycode, xn--...)");
  }
  const address = asciiLower(path);
  const at = address.indexOf("@");
  if (at === -1) return invalid("it has no @");
  if (address.indexOf("@", at + 1) !== -1) return invalid("it has more than one @");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);

  if (local === "") return invalid("nothing before the @");
  if (local.length > 64) return invalid("the part before the @ is longer than 64 characters");
  if (!allChars(local, (c) => isWordChar(c) || c === "." || LOCAL_SPECIALS.includes(c))) {
    return invalid("the part before the @ has a character that is not allowed there");
  }
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return invalid("a dot cannot start or end the part before the @, or follow another dot");
  }

  if (domain === "") return invalid("nothing after the @");
  if (domain.length > 253) return invalid("the domain is longer than 253 characters");
  const labels = domain.split(".");
  if (labels.length < 2) return invalid("the domain needs a dot, e.g. example.org");
  for (const label of labels) {
    if (label === "") return invalid("the domain has an empty label (a leading, trailing or doubled dot)");
    if (label.length > 63) return invalid("a domain label is longer than 63 characters");
    if (!allChars(label, (c) => isDigit(c) || isAsciiLetter(c) || c === "-")) {
      return invalid("the domain may contain only letters, digits, - and dots");
    }
    if (label.startsWith("-") || label.endsWith("-")) return invalid("a domain label cannot start or end with -");
  }
  const tld = labels[labels.length - 1];
  if (!isAsciiLetter(tld[0])) return invalid("the top-level domain must start with a letter");
  return address;
}

function normaliseExt(path: string): string | UrnError {
  for (const c of path) {
    if (WHITESPACE.test(c)) return { error: `ext id must not contain whitespace (found ${codePoint(c)})` };
  }
  return path;
}

function isScheme(s: string): s is UrnScheme {
  return (SCHEMES as readonly string[]).includes(s);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isAsciiLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
}

function isWordChar(c: string): boolean {
  return isDigit(c) || isAsciiLetter(c) || c === "_";
}

function allChars(s: string, ok: (c: string) => boolean): boolean {
  for (const c of s) if (!ok(c)) return false;
  return true;
}

/** Lower-cases A-Z only: full Unicode lower-casing can turn a non-ASCII letter into ASCII. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

function describeInvisible(c: string): string {
  if (CONTROL.test(c)) return `URN contains a control character (${codePoint(c)})`;
  if (FORMAT.test(c)) return `URN contains an invisible formatting character (${codePoint(c)})`;
  return `URN contains a character that cannot be displayed (${codePoint(c)})`;
}

/** Quotes user input for a message, cut short so a hostile value cannot flood logs or replies. */
function quote(s: string): string {
  const points = Array.from(s.slice(0, 80));
  return JSON.stringify(points.length > 40 ? `${points.slice(0, 40).join("")}…` : points.join(""));
}

function tooLong(): UrnError {
  return { error: `URN is too long (at most ${MAX_URN_LENGTH} characters)` };
}
