import type {
  AdminPerson,
  AdminUnit,
  AuditEntry,
  ImportCheck,
  ImportEvent,
  NewPersonBody,
  PersonDetail,
  PersonPatch,
  PersonStatus,
  RoleChange,
  UnitView,
} from '@/protocol/admin.ts'
import { api, HttpError } from '@/shared/http.ts'

const q = encodeURIComponent
type Paged<T> = { items: T[]; next: string | null }

function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== '')
  return parts.length ? `?${parts.map(([k, v]) => `${k}=${q(String(v))}`).join('&')}` : ''
}

export const adminApi = {
  unit: (id: string, cursor?: string) => api<UnitView>('GET', `/v1/admin/units/${q(id)}${query({ cursor })}`),
  createUnit: (parentId: string, name: string) => api<AdminUnit>('POST', '/v1/admin/units', { parentId, name }),
  renameUnit: (id: string, name: string) => api<UnitView>('PATCH', `/v1/admin/units/${q(id)}`, { name }),
  moveUnit: (id: string, parentId: string) => api<UnitView>('POST', `/v1/admin/units/${q(id)}/move`, { parentId }),
  retireUnit: (id: string) => api<UnitView>('POST', `/v1/admin/units/${q(id)}/retire`),

  people: (unitId: string, filter: { q?: string; status?: PersonStatus; cursor?: string }) =>
    api<Paged<AdminPerson>>('GET', `/v1/admin/units/${q(unitId)}/people${query({ ...filter, limit: 30 })}`),
  person: (id: string) => api<PersonDetail>('GET', `/v1/admin/people/${q(id)}`),
  createPerson: (body: NewPersonBody) => api<{ person: AdminPerson; password: string }>('POST', '/v1/admin/people', body),
  updatePerson: (id: string, patch: PersonPatch) => api<PersonDetail>('PATCH', `/v1/admin/people/${q(id)}`, patch),
  movePerson: (id: string, orgUnitId: string) => api<PersonDetail>('POST', `/v1/admin/people/${q(id)}/move`, { orgUnitId }),
  setStatus: (id: string, status: PersonStatus) => api<PersonDetail>('POST', `/v1/admin/people/${q(id)}/status`, { status }),
  resetPassword: (id: string) => api<{ password: string }>('POST', `/v1/admin/people/${q(id)}/password`),
  /** A deletion request (district admins): final, see docs/security.md. */
  erasePerson: (id: string) => api<PersonDetail>('POST', `/v1/admin/people/${q(id)}/erase`),
  grantRole: (id: string, change: RoleChange) => api<PersonDetail>('POST', `/v1/admin/people/${q(id)}/roles`, change),
  revokeRole: (id: string, change: RoleChange) => api<PersonDetail>('DELETE', `/v1/admin/people/${q(id)}/roles${query({ ...change })}`),

  checkImport: (csv: string) => api<ImportCheck>('POST', '/v1/admin/imports/members/check', { csv }),

  audit: (unitId: string, filter: { actorId?: string; action?: string; cursor?: string }) =>
    api<Paged<AuditEntry>>('GET', `/v1/admin/units/${q(unitId)}/audit${query({ ...filter, limit: 30 })}`),
}

/**
 * The real import: the server answers with NDJSON lines (progress, then done or failed), read
 * as they arrive so the page can show a progress bar. A 422 carries the check's row list.
 */
export async function runImport(csv: string, token: string | undefined, onEvent: (e: ImportEvent) => void): Promise<ImportCheck | undefined> {
  const response = await fetch('/api/v1/admin/imports/members', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ csv }),
  }).catch(() => {
    throw new HttpError(0, 'NETWORK', 'The server cannot be reached.')
  })
  if (response.status === 422) return (await response.json()) as ImportCheck
  if (!response.ok || !response.body) {
    const err = (await response.json().catch(() => ({}))) as { code?: string; message?: string; field?: string }
    throw new HttpError(response.status, err.code ?? `HTTP_${response.status}`, err.message ?? response.statusText, err.field)
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as ImportEvent)
  }
  return undefined
}
