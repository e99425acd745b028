/**
 * A cell of a CSV or XLSX file that a person may open in a spreadsheet. A value beginning with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets
 * as a formula (or as one after the first character is eaten), and quoting does not stop that:
 * "=HYPERLINK(...)" in quotes is still a formula. OWASP's advice is to prefix such a cell with a
 * single quote, which every spreadsheet shows as text and drops from the display. Every export
 * of dock- or Party-supplied text goes through this.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The value, with a leading `'` when a spreadsheet would read it as a formula. */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
