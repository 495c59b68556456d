import type { ApiErrorBody } from '@/protocol/common.ts'
import type { PackageImportResult, PackageKind } from '@/protocol/studioPackage.ts'
import { authHeaders, HttpError } from '@/shared/http.ts'

const q = encodeURIComponent
const unreachable = () => Promise.reject(new HttpError(0, 'NETWORK', 'The server cannot be reached.'))

/** Reads an error answer as the API's error body (the `file:line: what is wrong` is its message). */
async function failure(res: Response): Promise<HttpError> {
  const body = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>
  return new HttpError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.field)
}

/** Studio packages (docs/studio.md "Packages"): online only, like the rest of the studio. */
export const packageApi = {
  /** Sends the zip as the request body; the server checks all of it before writing anything. */
  async import(orgUnitId: string, file: File): Promise<PackageImportResult> {
    const res = await fetch(`/api/v1/studio/package?orgUnitId=${q(orgUnitId)}`, {
      method: 'POST',
      headers: { ...authHeaders(), accept: 'application/json', 'content-type': 'application/zip' },
      body: file,
    }).catch(unreachable)
    if (res.status !== 201) throw await failure(res)
    return (await res.json()) as PackageImportResult
  },

  /** Downloads a course's or a category's package as a file. */
  async download(orgUnitId: string, kind: PackageKind, id: string): Promise<void> {
    const res = await fetch(`/api/v1/studio/package?orgUnitId=${q(orgUnitId)}&kind=${kind}&id=${q(id)}`, { headers: authHeaders() }).catch(unreachable)
    if (!res.ok) throw await failure(res)
    const url = URL.createObjectURL(await res.blob())
    const a = Object.assign(document.createElement('a'), { href: url, download: `${kind === 'pocket_category' ? 'pocket' : kind.replace('_', '-')}-${id}.zip` })
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  },
}
