import { isUuid } from "../db/uuid";
import { BadInputError } from "../errors";
import type { PageInfo } from "./types/common.types";

export const MAX_PAGE = 100;

/** Checks first/last: 1..100 (BAD_USER_INPUT naming the argument otherwise). */
export function pageSize(value: number | null | undefined, name: string, fallback: number): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw new BadInputError(name, `${name} must be between 1 and ${MAX_PAGE}.`);
  }
  return size;
}

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

export function pageInfo(opts: { hasNextPage: boolean; hasPreviousPage: boolean; cursors: string[] }): PageInfo {
  return {
    hasNextPage: opts.hasNextPage,
    hasPreviousPage: opts.hasPreviousPage,
    startCursor: opts.cursors[0] ?? null,
    endCursor: opts.cursors[opts.cursors.length - 1] ?? null,
  };
}

/** Which end of an oldest-first list a first/after or last/before request reads, and how much. */
export function pageWindow(
  first: number | null | undefined,
  last: number | null | undefined,
  before: string | null | undefined,
): { fromEnd: boolean; size: number } {
  if (first != null && last != null) throw new BadInputError("last", "Give first or last, not both.");
  const fromEnd = last != null || (before != null && first == null);
  return { fromEnd, size: fromEnd ? pageSize(last, "last", 25) : pageSize(first, "first", 25) };
}

/**
 * Cuts the extra row a page query reads (size + 1) to learn whether the list goes on; rows are
 * oldest first, the extra one at the far end from the window's start.
 */
export function trimPage<T>(rows: T[], window: { fromEnd: boolean; size: number }, sides: { after: boolean; before: boolean }) {
  const more = rows.length > window.size;
  const page = window.fromEnd ? rows.slice(Math.max(0, rows.length - window.size)) : rows.slice(0, window.size);
  return {
    page,
    hasNextPage: window.fromEnd ? sides.before : more,
    hasPreviousPage: window.fromEnd ? more : sides.after,
  };
}
