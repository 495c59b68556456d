/**
 * CSV for Excel and WPS, written by the server (archive, monthly report) and by the leader's
 * phone (the first-password list): UTF-8 with a byte-order mark (without it Excel reads Chinese
 * as mojibake), CRLF rows, RFC 4180 quoting. Text cells that a spreadsheet would run as a formula
 * (= + - @, tab, CR) get a leading apostrophe: names and notes are typed by members.
 */
export type CsvCell = string | number | null

const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: CsvCell): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv(rows: CsvCell[][]): string {
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
