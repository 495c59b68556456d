import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import type { AuthContext } from '../features/auth/auth.repository.ts'

/**
 * Records who changed what from which device; call inside the change's own transaction.
 * `orgPath`, the path of the unit the change concerns, puts it in that subtree's audit view.
 */
export async function writeAudit(
  db: Kysely<Database>,
  auth: AuthContext,
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
