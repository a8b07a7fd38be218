import { registerDecorator, type ValidationOptions } from "class-validator";
import { BadInputError } from "../errors";

/** The string's length after trimming is within [min, max]. */
export function TrimmedLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: "trimmedLength",
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [min, max],
      options: {
        message: min > 0 ? `$property must be ${min} to ${max} characters, not blank` : `$property must be at most ${max} characters`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (value === null || value === undefined) return true;
          if (typeof value !== "string") return false;
          const length = value.trim().length;
          // Not blank: a name of invisible characters only (zero-width spaces) is as empty.
          if (min > 0 && value.replace(INVISIBLE, "") === "") return false;
          return length >= min && length <= max;
        },
      },
    });
  };
}

/**
 * Inputs that are alternatives to one another. Each call names them in the order a message lists
 * them; a value counts as given unless it is null, absent or false (so a flag such as
 * `allTopics: true` is one of the alternatives). The error names `field` (the first by default).
 */
type Alternatives = Record<string, unknown>;

const given = (value: unknown) => value !== null && value !== undefined && value !== false;

/** Refuses unless exactly one of the alternatives is given. */
export function requireExactlyOne(alternatives: Alternatives, field = Object.keys(alternatives)[0]): void {
  const names = Object.keys(alternatives);
  if (names.filter((name) => given(alternatives[name])).length !== 1) {
    throw new BadInputError(field, `Give exactly one of ${names.join(" and ")}.`);
  }
}

/** Refuses when every one of the alternatives is given. */
export function forbidBoth(alternatives: Alternatives, field = Object.keys(alternatives)[0]): void {
  const names = Object.keys(alternatives);
  if (names.every((name) => given(alternatives[name]))) throw new BadInputError(field, `Give ${names.join(" or ")}, not both.`);
}

/** A MIME type, `type/subtype` (RFC 6838 names), or `geo` for a location. */
const CONTENT_TYPE = /^(geo|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/i;
/** A location: latitude and longitude in decimal degrees, `lat,lng`. */
const LOCATION = /^(-?\d{1,3}(?:\.\d{1,12})?),(-?\d{1,3}(?:\.\d{1,12})?)$/;
export const MAX_ATTACHMENT_URL = 2048;
/** http(s)://, then no space, backslash or quote (control characters: see hasControl). */
const ABSOLUTE_HTTP = /^https?:\/\/[^\s\\"<>`]+$/i;

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
/** What leaves a text blank: white space and invisible format characters (a zero-width space). */
const INVISIBLE = /[\s\p{Cf}]/gu;

/** Whether an attachment's content type is `type/subtype` or `geo`. */
export function isContentType(value: unknown): boolean {
  return typeof value === "string" && CONTENT_TYPE.test(value.trim());
}

/** Whether an attachment's url suits its content type: `lat,lng` for geo, else an http(s) URL of at most 2,048 characters. */
export function isAttachmentUrl(contentType: unknown, value: unknown): boolean {
  if (typeof value !== "string") return false;
  const url = value.trim();
  if (typeof contentType === "string" && contentType.trim().toLowerCase() === "geo") {
    const location = LOCATION.exec(url);
    return location !== null && Math.abs(Number(location[1])) <= 90 && Math.abs(Number(location[2])) <= 180;
  }
  if (url.length === 0 || url.length > MAX_ATTACHMENT_URL) return false;
  // As it is stored: the URL parser would drop a tab or line break, or fix up "https:host" and a
  // space, and then pass a URL other than the one a connector reads.
  // A lone UTF-16 surrogate is no character at all: no URL holds one, and the database refuses it.
  if (!ABSOLUTE_HTTP.test(url) || hasControl(url) || LONE_SURROGATE.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}

/** A property checked by `valid(value, the whole input object)`. */
function check(name: string, message: string, valid: (value: unknown, input: Record<string, unknown>) => boolean): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message },
      validator: { validate: (value, args) => valid(value, (args?.object ?? {}) as Record<string, unknown>) },
    });
  };
}

export const IsContentType = (): PropertyDecorator =>
  check("contentType", "contentType must be a MIME type such as image/jpeg, or geo for a location", (value) => isContentType(value));

export const IsAttachmentUrl = (): PropertyDecorator =>
  check(
    "attachmentUrl",
    `url must be an http or https URL of at most ${MAX_ATTACHMENT_URL} characters, or lat,lng for a geo attachment`,
    (value, input) => isAttachmentUrl(input.contentType, value),
  );

/** A message's text: at most `max` characters, and not blank unless the message has attachments. */
export const TextOrAttachments = (max: number): PropertyDecorator =>
  check("textOrAttachments", `text must be 1 to ${max} characters, or empty with attachments`, (value, input) => {
    if (typeof value !== "string" || value.length > max) return false;
    const attachments = input.attachments;
    return value.replace(INVISIBLE, "") !== "" || (Array.isArray(attachments) && attachments.length > 0);
  });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** An IANA zone name as written (Area/Location, or UTC): no offsets, whose sign POSIX reverses. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** A signed offset inside a name ("Etc/GMT+1" is UTC−1: POSIX's sign, the trap offsets are refused for). */
const SIGNED_OFFSET = /[+-]\d/;

/** Whether a name is an IANA time zone of a place or UTC, in any case ("utc", "europe/kyiv"). */
export function isTimeZoneName(value: string): boolean {
  const name = value.trim();
  if (name.length > 64 || !ZONE_NAME.test(name) || SIGNED_OFFSET.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const IsTimeZone = (): PropertyDecorator =>
  check(
    "timeZone",
    '$property must be the IANA time zone name of a place, such as "Europe/Paris", or "UTC" (offsets are refused: POSIX reverses their sign)',
    (value) => value === null || value === undefined || (typeof value === "string" && isTimeZoneName(value)),
  );
