/**
 * Saves an authorised export (CSV) as a file. A plain link cannot carry the bearer token, so the
 * file is fetched and handed to the browser as a blob with the server's file name.
 */
import { HttpError, steppedUp } from '@/shared/http.ts'

export async function downloadExport(path: string, token: string | undefined, fallbackName: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(`/api${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  } catch {
    throw new HttpError(0, 'NETWORK', 'The server cannot be reached.')
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string }
    // A leader's export needs a recent password entry: ask, then fetch again.
    if (await steppedUp(response.status, body.code)) return downloadExport(path, token, fallbackName)
    throw new HttpError(response.status, body.code ?? `HTTP_${response.status}`, body.message ?? response.statusText)
  }
  const disposition = response.headers.get('content-disposition') ?? ''
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1]
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = encoded ? decodeURIComponent(encoded) : fallbackName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
