/*
 * The note of an openTicket call: a template written by a flow author, rendered once when the
 * ticket opens. A bad reference must never stop a ticket from opening, so every problem becomes
 * an empty insertion plus a warning for the caller to report.
 *
 * Syntax
 * - References: @results.KEY (the result's value), @results.KEY.category, @contact.name and
 *   @fields.KEY. KEY is [A-Za-z0-9_]+ and is matched case-sensitively; a reference ends at the
 *   first character that cannot continue it, so "@results.age." is the value then "." and
 *   "@results.age.other" is the value then ".other". ".category" is only taken when a whole
 *   word: "@results.age.categoryx" is the value then ".categoryx".
 * - "@@" is a literal "@", scanned left to right: "@@@@" -> "@@", "@@@" -> "@@",
 *   "@@results.x" -> "@results.x". This is how to write an address such as a@@fields.io.
 * - Every other "@" is literal text, and so is what follows it: "@", "@results", "@results.",
 *   "@results.!", "@fields", "@fields.", "@contact", "@contact.", "@contact.email",
 *   "@contact.names", "@Results.x" (prefixes are case-sensitive). "@fields.KEY.category" is the
 *   field then ".category".
 * - Inserted values are never scanned again: a contact named "@fields.secret" renders as that
 *   text, so a value cannot reach a hidden field.
 *
 * Values
 * - results: a JSON object of KEY -> entry; anything else (null, an array, a string...) means
 *   there are no results. Only the object's own keys count ("@results.constructor" is unknown).
 * - An entry is either a plain value or an object {"value": ..., "category": ...}. A value or
 *   category that is a string renders as is, a number or boolean as String(x) (1.5 -> "1.5",
 *   true -> "true"), null as empty text without a warning: null means known but empty, the same
 *   as a contact without a name or a field that is not set. Absent (no such key, an entry
 *   without "value"/"category", a plain-value entry asked for its category) or any other type
 *   (object, array) is an unknown reference.
 * - @contact.name: the name, or empty without a warning when the contact has none.
 * - @fields.KEY: ctx.field(KEY); undefined is an unknown reference, {visible:false} renders
 *   empty with "field @fields.KEY is not visible to agents", a null value renders empty silently.
 *
 * Warnings
 * - "unknown reference @results.age", "unknown reference @results.age.category",
 *   "unknown reference @fields.x", "field @fields.secret is not visible to agents".
 * - Each distinct warning is reported once, in order of first occurrence; after
 *   MAX_NOTE_WARNINGS of them the rest are summed up as "N more warnings not shown". Keys over
 *   100 characters are shortened with "…" in warnings.
 * - The cut warning comes last: "note is longer than 10000 characters and was cut".
 *
 * Result
 * - U+0000 is removed (PostgreSQL text cannot hold it). The rendering is trimmed (JavaScript
 *   whitespace, as String.prototype.trim); if more than MAX_NOTE_LENGTH characters remain it is
 *   cut to that many, a cut never splits a surrogate pair, and trailing whitespace left at the
 *   cut is trimmed too. Length is counted in UTF-16 units, as JavaScript's .length, so the
 *   result passes any length check made on it. Empty after trimming -> note null.
 * - Rendering runs in time linear in the template (each key is looked up once) and holds at most
 *   MAX_NOTE_LENGTH characters of output however many times a long value is repeated. It never
 *   throws: a context that throws or holds values of unexpected types is treated as unknown.
 */

export interface NoteContext {
  /** The JSON given by the flow; anything not an object means no results. */
  results: unknown;
  contactName: string | null;
  /** undefined: no such field; {visible:false}: exists but hidden from agents; value null: unset. */
  field(key: string): { visible: true; value: string | null } | { visible: false } | undefined;
}

export const MAX_NOTE_LENGTH = 10_000;
export const MAX_NOTE_WARNINGS = 20;

export interface RenderedNote {
  note: string | null;
  warnings: string[];
}

const MAX_KEY_IN_WARNING = 100;

interface Resolved {
  text: string;
  /** Entirely whitespace (or empty): lets leading blanks be skipped without scanning again. */
  blank: boolean;
  warning?: string;
}

export function renderNote(template: string, ctx: NoteContext): RenderedNote {
  try {
    return render(template, ctx);
  } catch {
    // Defence in depth: nothing above is expected to throw, but a note must never stop a ticket.
    return { note: null, warnings: ["note could not be rendered"] };
  }
}

function render(template: string, ctx: NoteContext): RenderedNote {
  if (typeof template !== "string") return { note: null, warnings: [] };
  if (typeof ctx !== "object" || ctx === null) ctx = { results: null, contactName: null, field: () => undefined };
  const out = new NoteBuilder();
  const warnings = new WarningList();
  const cache = new Map<string, Resolved>();
  // Each reference is resolved once however often it appears; the reference is the cache key.
  const resolve = (ref: string, compute: () => Resolved): void => {
    let r = cache.get(ref);
    if (r === undefined) {
      try {
        r = compute();
      } catch {
        // A context that throws (a getter, a failing field lookup) must not stop the ticket.
        r = unknown(`unknown reference ${shownRef(ref)}`);
      }
      cache.set(ref, r);
    }
    if (r.warning !== undefined) warnings.add(r.warning);
    out.append(r.text, r.blank);
  };

  let i = 0;
  while (i < template.length) {
    const at = template.indexOf("@", i);
    if (at === -1) {
      out.append(template.slice(i));
      break;
    }
    if (at > i) out.append(template.slice(i, at));
    i = at + 1;
    if (template.charCodeAt(i) === 0x40 /* @ */) {
      out.append("@");
      i++;
      continue;
    }
    if (template.startsWith("results.", i)) {
      const keyStart = i + "results.".length;
      const keyEnd = skipKey(template, keyStart);
      if (keyEnd > keyStart) {
        const key = template.slice(keyStart, keyEnd);
        const catEnd = keyEnd + ".category".length;
        if (template.startsWith(".category", keyEnd) && !isKeyChar(template.charCodeAt(catEnd))) {
          resolve(`@results.${key}.category`, () => resultCategory(ctx, key));
          i = catEnd;
        } else {
          resolve(`@results.${key}`, () => resultValue(ctx, key));
          i = keyEnd;
        }
        continue;
      }
    } else if (template.startsWith("contact.name", i) && !isKeyChar(template.charCodeAt(i + "contact.name".length))) {
      resolve("@contact.name", () => contactName(ctx));
      i += "contact.name".length;
      continue;
    } else if (template.startsWith("fields.", i)) {
      const keyStart = i + "fields.".length;
      const keyEnd = skipKey(template, keyStart);
      if (keyEnd > keyStart) {
        const key = template.slice(keyStart, keyEnd);
        resolve(`@fields.${key}`, () => fieldValue(ctx, key));
        i = keyEnd;
        continue;
      }
    }
    // Not a reference: the "@" is text and scanning resumes right after it.
    out.append("@");
  }

  const { note, cut } = out.finish();
  const list = warnings.list();
  if (cut) list.push(`note is longer than ${MAX_NOTE_LENGTH} characters and was cut`);
  return { note, warnings: list };
}

function isKeyChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function skipKey(s: string, from: number): number {
  let j = from;
  while (j < s.length && isKeyChar(s.charCodeAt(j))) j++;
  return j;
}

function shownKey(key: string): string {
  return key.length > MAX_KEY_IN_WARNING ? `${key.slice(0, MAX_KEY_IN_WARNING)}…` : key;
}

/** A whole reference for a warning, its key shortened like shownKey. */
function shownRef(ref: string): string {
  const dot = ref.indexOf(".");
  const keyStart = ref.startsWith("@contact.") ? ref.length : dot + 1;
  const keyEnd = skipKey(ref, keyStart);
  return ref.slice(0, keyStart) + shownKey(ref.slice(keyStart, keyEnd)) + ref.slice(keyEnd);
}

function known(text: string): Resolved {
  const clean = text.includes("\0") ? text.replaceAll("\0", "") : text;
  return { text: clean, blank: clean.trim() === "" };
}

function unknown(warning: string): Resolved {
  return { text: "", blank: true, warning };
}

/** The rendering of a scalar, or undefined when the value cannot be shown (absent or a structure). */
function scalarText(v: unknown): string | undefined {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** An own data property; getters are not run, since the context may come from anywhere. */
function ownValue(obj: object, key: string): { value: unknown } | undefined {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  return d !== undefined && "value" in d ? { value: d.value } : undefined;
}

function isPlainObject(v: unknown): v is object {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function resultEntry(ctx: NoteContext, key: string): { value: unknown } | undefined {
  const results: unknown = ctx.results;
  return isPlainObject(results) ? ownValue(results, key) : undefined;
}

function resultValue(ctx: NoteContext, key: string): Resolved {
  const ref = `@results.${shownKey(key)}`;
  const entry = resultEntry(ctx, key);
  if (entry === undefined) return unknown(`unknown reference ${ref}`);
  let text = scalarText(entry.value);
  if (text === undefined && isPlainObject(entry.value)) {
    const value = ownValue(entry.value, "value");
    if (value !== undefined) text = scalarText(value.value);
  }
  return text === undefined ? unknown(`unknown reference ${ref}`) : known(text);
}

function resultCategory(ctx: NoteContext, key: string): Resolved {
  const ref = `@results.${shownKey(key)}.category`;
  const entry = resultEntry(ctx, key);
  if (entry === undefined || !isPlainObject(entry.value)) return unknown(`unknown reference ${ref}`);
  const category = ownValue(entry.value, "category");
  const text = category === undefined ? undefined : scalarText(category.value);
  return text === undefined ? unknown(`unknown reference ${ref}`) : known(text);
}

function contactName(ctx: NoteContext): Resolved {
  const name: unknown = ctx.contactName;
  return known(typeof name === "string" ? name : "");
}

function fieldValue(ctx: NoteContext, key: string): Resolved {
  const ref = `@fields.${shownKey(key)}`;
  if (typeof ctx.field !== "function") return unknown(`unknown reference ${ref}`);
  const answer: unknown = ctx.field(key);
  if (!isPlainObject(answer)) return unknown(`unknown reference ${ref}`);
  const visible = ownValue(answer, "visible");
  if (visible === undefined || visible.value !== true) return unknown(`field ${ref} is not visible to agents`);
  const value = ownValue(answer, "value");
  const text = value === undefined ? "" : scalarText(value.value);
  return text === undefined ? unknown(`unknown reference ${ref}`) : known(text);
}

class WarningList {
  private readonly seen = new Set<string>();
  private readonly shown: string[] = [];
  private hidden = 0;

  add(warning: string): void {
    if (this.seen.has(warning)) return;
    this.seen.add(warning);
    if (this.shown.length < MAX_NOTE_WARNINGS) this.shown.push(warning);
    else this.hidden++;
  }

  list(): string[] {
    const list = [...this.shown];
    if (this.hidden > 0) list.push(`${this.hidden} more warning${this.hidden === 1 ? "" : "s"} not shown`);
    return list;
  }
}

/**
 * Accumulates the trimmed-at-the-start output, keeping only MAX_NOTE_LENGTH characters: past
 * that, all that matters is whether anything other than whitespace follows (a cut) or not
 * (the end trim removes it anyway).
 */
class NoteBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private started = false;
  private overflow = false;

  append(text: string, blank?: boolean): void {
    if (this.overflow || text === "") return;
    let s = text.includes("\0") ? text.replaceAll("\0", "") : text;
    if (!this.started) {
      if (blank === true) return;
      const first = s.search(/\S/);
      if (first === -1) return;
      s = s.slice(first);
      this.started = true;
    }
    const room = MAX_NOTE_LENGTH - this.length;
    if (s.length <= room) {
      this.parts.push(s);
      this.length += s.length;
      return;
    }
    this.parts.push(s.slice(0, room));
    this.length = MAX_NOTE_LENGTH;
    if (blank !== true) {
      for (let j = room; j < s.length; j++) {
        if (!isJsWhitespace(s.charCodeAt(j))) {
          this.overflow = true;
          return;
        }
      }
    }
  }

  finish(): { note: string | null; cut: boolean } {
    let text = this.parts.join("");
    if (this.overflow) {
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
    }
    text = text.trimEnd();
    return { note: text === "" ? null : text, cut: this.overflow };
  }
}

/** The characters String.prototype.trim removes (WhiteSpace and LineTerminator). */
function isJsWhitespace(code: number): boolean {
  return /\s/.test(String.fromCharCode(code));
}
