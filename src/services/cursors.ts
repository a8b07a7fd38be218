/**
 * The cursors of the lists: opaque to clients (base64 of a JSON array), decoded here and checked
 * part by part, so that anything a list did not give out is BAD_USER_INPUT naming the argument,
 * never a SQL error. The services that page own them; resolvers only pass them along.
 */
import { TicketStatus } from "../entities";
import { isUuid } from "../db/uuid";
import type { InboxCursor } from "./tickets/inbox.service";
import { BadInputError } from "../errors";

/** Opaque cursors: base64 of a JSON array. */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64");
}

/** Decodes a cursor made by encodeCursor with the given part count; BAD_USER_INPUT otherwise. */
export function decodeCursor(cursor: string, name: string, arity: number): string[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === "string" || typeof p === "number")) {
      return parts.map(String);
    }
  } catch {
    // falls through to the error below
  }
  throw new BadInputError(name, `${name} is not a cursor this list gave out.`);
}

/** Microseconds since 1970 of 10000-01-01: no stored time reaches it. */
const MAX_TIME_US = 253402300800000000n;

/**
 * Decodes a keyset cursor of these lists, [time in microseconds, uuid]; anything this list did
 * not give out is BAD_USER_INPUT, never a SQL error.
 */
export function keysetCursor(cursor: string, name: string): { us: string; id: string } {
  const [us, id] = decodeCursor(cursor, name, 2);
  if (!/^\d{1,18}$/.test(us) || BigInt(us) >= MAX_TIME_US || !isUuid(id)) {
    throw new BadInputError(name, `${name} is not a cursor this list gave out.`);
  }
  return { us, id };
}

const STATUSES = new Set<string>([TicketStatus.OPEN, TicketStatus.CLOSED]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Microseconds since 1970 before the year 10000: what PostgreSQL can add to 'epoch'. */
const MAX_ACTIVITY_US = 253402300800000000n;
const MAX_XID8 = 9223372036854775807n;

/** A pg_snapshot's text as PostgreSQL accepts it: 0 < xmin <= xip... < xmax, in 63 bits. */
function isSnapshot(text: string): boolean {
  const match = /^(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?$/.exec(text);
  if (!match) return false;
  const [xmin, xmax] = [BigInt(match[1]), BigInt(match[2])];
  const xip = match[3] ? match[3].split(",").map(BigInt) : [];
  if (xmin < 1n || xmax < xmin || xmax > MAX_XID8) return false;
  return xip.every((x, i) => x >= xmin && x < xmax && (i === 0 || x >= xip[i - 1]));
}

/** Decodes an inbox cursor (inboxCursorOf); anything this list did not give out is BAD_USER_INPUT, never a SQL error. */
export function parseInboxCursor(cursor: string): InboxCursor {
  const [status, lastActivityUs, id, snapshot] = decodeCursor(cursor, "after", 4);
  const valid =
    STATUSES.has(status) &&
    /^\d{1,18}$/.test(lastActivityUs) &&
    BigInt(lastActivityUs) < MAX_ACTIVITY_US &&
    UUID.test(id) &&
    isSnapshot(snapshot);
  if (!valid) throw new BadInputError("after", "after is not a cursor this list gave out.");
  return { status: status as TicketStatus, lastActivityUs, id, snapshot };
}

/** The cursor of an inbox page's ticket: its place in the order, and the snapshot of the list's first page. */
export function inboxCursorOf(ticket: { status: TicketStatus; sortKey: string; id: string }, snapshot: string): string {
  return encodeCursor([ticket.status, ticket.sortKey, ticket.id, snapshot]);
}
