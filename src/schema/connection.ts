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
