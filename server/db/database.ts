/**
 * The one typed picture of the server's tables, shared by every repository.
 * Times are epoch milliseconds (bigint) and flags are 0/1 integers on both SQLite and
 * PostgreSQL, so one code path serves both dialects.
 */
import type { Generated, Insertable, Selectable } from 'kysely'
import type { OrgKind, RoleName } from '../../src/protocol/auth.ts'

export interface OrgUnitTable {
  id: string
  parent_id: string | null
  kind: OrgKind
  name: string
  /** Materialised path of ids, "/a/b/c/": a subtree is a range scan on this index. */
  path: string
  created_at: number
}

export interface PersonTable {
  id: string
  phone: string
  name: string
  password_hash: string
  /** The party group (or other unit) the person belongs to. */
  org_unit_id: string
  is_flowing: number
  is_elderly: number
  status: 'active' | 'inactive'
  created_at: number
}

export interface RoleTable {
  person_id: string
  org_unit_id: string
  role: RoleName
}

export interface SessionTable {
  id: string
  /** SHA-256 of the bearer token: a leaked table cannot be replayed as sessions. */
  token_hash: string
  person_id: string
  device_name: string
  created_at: number
  last_seen_at: number
  expires_at: number
  revoked_at: number | null
}

export interface RateLimitTable {
  key: string
  window_start: number
  hits: number
}

export interface AuditLogTable {
  id: Generated<number>
  person_id: string | null
  action: string
  target: string
  detail: string
  device: string
  at: number
}

export interface Database {
  org_unit: OrgUnitTable
  person: PersonTable
  role: RoleTable
  session: SessionTable
  rate_limit: RateLimitTable
  audit_log: AuditLogTable
}

export type OrgUnitRow = Selectable<OrgUnitTable>
export type PersonRow = Selectable<PersonTable>
export type NewPerson = Insertable<PersonTable>
