/**
 * The LIMIT of a page read, written into the statement rather than bound as a parameter.
 *
 * A bound LIMIT is unknown when PostgreSQL builds a prepared statement's generic plan, which it
 * then costs as if a tenth of the matching rows were read (1,600 of 16,000 open tickets, each
 * with its contact, topic and assignee joined). Against the custom plans made for 26 rows, that
 * generic plan never wins, so the statement is planned again at every execution: on the bench's
 * inbox page, about 0.3 ms of the database's CPU per request, as much as running it. Written in,
 * the generic plan costs what the custom ones do and is kept after the fifth execution.
 *
 * Page sizes come from clients (1 to 100, or an export's page), and each distinct text is a
 * statement of its own in every connection's prepared statements (a hundred at most, the least
 * recently used dropped): the LIMIT is rounded up to one of a few sizes, so that a client asking
 * for every size in turn adds a handful of texts per shape, not a hundred. The caller reads `first + 1` rows at
 * least (one past the page tells whether there is a next one) and keeps the first `first`.
 */
const SIZES = [2, 6, 11, 21, 26, 51, 101];

export function pageLimit(first: number): string {
  if (!Number.isSafeInteger(first) || first < 1) throw new RangeError(`a page of ${String(first)} rows`);
  const wanted = first + 1;
  const size = SIZES.find((s) => s >= wanted);
  if (size !== undefined) return String(size);
  // Larger pages (an export's): the next power of two, plus the one past the page. Doubled in
  // integers: Math.log2 rounds 2^k + 1 down to k for large k.
  let power = 128;
  while (power < first) power *= 2;
  return String(power + 1);
}
