/**
 * CSV for Excel and WPS: UTF-8 with a byte-order mark (without it Excel reads Chinese as
 * mojibake), CRLF rows, RFC 4180 quoting. Text cells that a spreadsheet would run as a formula
 * (= + - @, tab, CR) get a leading apostrophe: exported names and notes are typed by members.
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

/** A download name that survives every browser: ASCII fallback plus the UTF-8 name (RFC 6266). */
export function attachment(filename: string): string {
  return `attachment; filename="export.csv"; filename*=UTF-8''${encodeURIComponent(filename)}`
}
