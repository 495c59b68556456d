/**
 * Reads a chosen CSV file as text. The format is UTF-8 (with or without BOM), but Excel and WPS
 * on Chinese Windows save "CSV" as GBK by default, so a file that is not valid UTF-8 is read
 * as GBK instead of turning every name into "�".
 */
export async function readCsvFile(file: File): Promise<string> {
  const bytes = await file.arrayBuffer()
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gbk').decode(bytes)
  }
}

/** A template with the header row and one example, as a data: URL to download. */
export function templateHref(header: string[], example: string[]): string {
  const text = `\uFEFF${header.join(',')}\r\n${example.join(',')}\r\n`
  return `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`
}
