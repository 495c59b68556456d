/** The CSV rules live in src/protocol/csv.ts, shared with the phone's own CSV downloads. */
export { csvCell, toCsv, type CsvCell } from '../../../src/protocol/csv.ts'

/** A download name that survives every browser: ASCII fallback plus the UTF-8 name (RFC 6266). */
export function attachment(filename: string): string {
  return `attachment; filename="export.csv"; filename*=UTF-8''${encodeURIComponent(filename)}`
}
