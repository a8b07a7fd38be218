/** Escapes LIKE's wildcards so that a search is a plain substring match. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern of a substring search: the text anywhere, wildcards in it taken literally. */
export function containing(text: string): string {
  return `%${escapeLike(text)}%`;
}
