/**
 * A small RFC 4180 reader: quoted fields with commas, doubled quotes and line breaks, CRLF or
 * LF, a UTF-8 BOM (Excel writes one). Returns each record with the line it starts on, so errors
 * point at the row a spreadsheet shows.
 */
export interface CsvRecord {
  line: number
  cells: string[]
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let start = 1
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text
  const endRecord = () => {
    cells.push(cell)
    if (cells.length > 1 || cells[0]!.trim() !== '') records.push({ line: start, cells })
    cells = []
    cell = ''
  }
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else {
        if (ch === '\n') line++
        cell += ch
      }
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === ',') {
      cells.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++
      endRecord()
      start = ++line
    } else cell += ch
  }
  if (cell !== '' || cells.length) endRecord()
  return records
}
