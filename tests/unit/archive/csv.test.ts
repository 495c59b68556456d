import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from '../../../server/features/archive/csv.ts'

describe('CSV for Excel and WPS', () => {
  it('starts with a byte-order mark and ends rows with CRLF', () => {
    expect(toCsv([['姓名', '得分'], ['王建国', 90]])).toBe('\uFEFF姓名,得分\r\n王建国,90\r\n')
  })

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('他说"好"')).toBe('"他说""好"""')
    expect(csvCell('一\r\n二')).toBe('"一\r\n二"')
  })

  it('defuses text a spreadsheet would run as a formula, but keeps negative numbers', () => {
    for (const text of ['=1+1', '+86', '-2', '@SUM(A1)', '\tcmd']) expect(csvCell(text)).toBe(`'${text}`)
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`)
    expect(csvCell(-2)).toBe('-2')
    expect(csvCell(null)).toBe('')
  })
})
