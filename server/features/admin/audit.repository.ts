import type { Kysely } from 'kysely'
import type { AuditEntry } from '../../../src/protocol/admin.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'

export interface AuditFilter {
  actorId?: string
  action?: string
  limit: number
  /** entries older than this id (newest first) */
  before?: number
  /** Also entries filed under no unit (failed sign-ins of unknown phones, some exports): the root's view. */
  includeUnfiled?: boolean
}

/** One page of the audit entries filed under a subtree, newest first. */
export async function listAudit(db: Kysely<Database>, path: string, { actorId, action, limit, before, includeUnfiled }: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('person', 'person.id', 'audit_log.person_id')
    .select(['audit_log.id', 'audit_log.at', 'audit_log.person_id', 'person.name', 'audit_log.action', 'audit_log.target', 'audit_log.detail', 'audit_log.device'])
    .where((eb) => {
      const inSubtree = eb.and([eb('audit_log.org_path', '>=', path), eb('audit_log.org_path', '<', subtreeEnd(path))])
      return includeUnfiled ? eb.or([inSubtree, eb('audit_log.org_path', 'is', null)]) : inSubtree
    })
    .orderBy('audit_log.id', 'desc')
    .limit(limit + 1)
  if (actorId) query = query.where('audit_log.person_id', '=', actorId)
  if (action) query = query.where('audit_log.action', '=', action)
  if (before !== undefined) query = query.where('audit_log.id', '<', before)
  const rows = await query.execute()
  const items: AuditEntry[] = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actorId: r.person_id,
    actorName: r.name,
    action: r.action,
    target: r.target,
    detail: r.detail,
    device: r.device,
  }))
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? String(last.id) : null }
}
