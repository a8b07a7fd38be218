/**
 * CSV as RFC 4180 writes it, for spreadsheets: fields separated by commas, lines ended by CRLF; a
 * field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. UTF-8 (the file
 * starts with no byte order mark: the Content-Type says utf-8).
 *
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some
 * with tab or CR before them) as a formula, so a contact named `=HYPERLINK(...)` could run code
 * on the computer of whoever opens the file. Such a cell is written with a leading `'`, which
 * spreadsheets show as text (OWASP's advice). Every cell is text from contacts or members; none
 * the server writes itself starts that way, except a negative number field, which is prefixed too.
 * Spreadsheets whose locale separates lists with `;` (Excel in much of Europe) split a line at
 * every semicolon and line break, quotes or not, and tab-separated imports at every tab: a formula
 * character after any of them is prefixed the same way.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const FORMULA_AFTER_SEPARATOR = /([;\t\r\n])(?=[=+\-@])/g;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: protected against formulas, then quoted as needed. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const text = (FORMULA_START.test(value) ? `'${value}` : value).replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line, CRLF included. */
export function csvLine(cells: ReadonlyArray<string | null | undefined>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
