import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import type { AuthContext } from '../features/auth/auth.repository.ts'

/** Who did it: a signed-in person, or nobody known yet (a failed sign-in) with the device it came from. */
export type AuditActor = Pick<AuthContext, 'deviceName'> & { personId: string | null }

/**
 * Records who changed what from which device; call inside the change's own transaction.
 * `orgPath`, the path of the unit the change concerns, puts it in that subtree's audit view.
 */
export async function writeAudit(
  db: Kysely<Database>,
  auth: AuditActor,
  action: string,
  target: string,
  detail: unknown,
  now = Date.now(),
  orgPath: string | null = null,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ person_id: auth.personId, action, target, detail: JSON.stringify(detail), device: auth.deviceName, at: now, org_path: orgPath })
    .execute()
}

/** "138****5678": enough for a reviewer to match a report, not enough to harvest numbers. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****'
}

/** 网络安全法 art. 21: network logs are kept at least six months. The database refuses younger deletes too (migration 019). */
export const MIN_AUDIT_RETENTION_DAYS = 180
const DAY_MS = 24 * 3600 * 1000

/** AUDIT_RETENTION_DAYS (default 400: a full year and a review cycle); below the legal minimum is a start-up error. */
export function auditRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const days = Number(env.AUDIT_RETENTION_DAYS ?? 400)
  if (!Number.isInteger(days) || days < MIN_AUDIT_RETENTION_DAYS) {
    throw new Error(`AUDIT_RETENTION_DAYS must be a whole number of days ≥ ${MIN_AUDIT_RETENTION_DAYS} (got ${env.AUDIT_RETENTION_DAYS})`)
  }
  return days
}

/**
 * The retention purge, the only delete of audit entries in the code: removes entries older than
 * `retentionDays` and never a younger one. Returns how many went.
 */
export async function purgeAudit(db: Kysely<Database>, retentionDays: number, now = Date.now()): Promise<number> {
  if (retentionDays < MIN_AUDIT_RETENTION_DAYS) throw new Error(`audit entries are kept at least ${MIN_AUDIT_RETENTION_DAYS} days`)
  const result = await db.deleteFrom('audit_log').where('at', '<', now - retentionDays * DAY_MS).executeTakeFirst()
  return Number(result.numDeletedRows)
}
