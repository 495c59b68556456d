/**
 * Personal data on a shared phone. A village family or a group often shares one phone; what one
 * person did here (progress, answers, wrong-answer book, practice streak, attendance caches, see
 * PERSONAL_TABLES) must not be shown to the next person who signs in.
 *
 * The outbox is never cleared: each record carries the id of the person who made it, and the
 * push engine sends a record only while that person is signed in (pushCore.ts), so a previous
 * person's unsent writes wait on the phone until they sign in again.
 */
import { db, PERSONAL_META_KEYS, PERSONAL_TABLES } from '@/db/db.ts'

/** Whose personal data the phone holds now. */
const OWNER_KEY = 'personalOwner'

/**
 * Makes the personal data on this phone `personId`'s: if it belongs to someone else, it is
 * deleted, and that person's outbox records that carry no person id (made before the phone knew
 * who was signed in) get theirs, so they are never sent under the new session. One transaction:
 * all of this happens or none of it. Call BEFORE the new session is stored, so the push engine
 * never sees the new token next to records it could mistake for the new person's.
 *
 * `adopt`: the data here was made by this person although the phone never recorded it (a phone
 * updated from a version without this rule, still signed in): keep it.
 * @returns whether the phone held a known other person's data (now deleted).
 */
export async function claimPersonalData(personId: string, { adopt = false } = {}): Promise<boolean> {
  const tables = PERSONAL_TABLES.map((name) => db[name])
  return db.transaction('rw', [...tables, db.meta, db.outbox], async () => {
    const owner = (await db.meta.get(OWNER_KEY))?.value as string | undefined
    if (owner === personId) return false
    await db.meta.put({ key: OWNER_KEY, value: personId })
    if (owner === undefined && adopt) return false
    // With no owner recorded, the data's owner is unknown: treat it as someone else's.
    await Promise.all(tables.map((t) => t.clear()))
    await db.meta.bulkDelete([...PERSONAL_META_KEYS])
    if (owner === undefined) return false
    await db.outbox.filter((r) => !r.personId).modify({ personId: owner })
    return true
  })
}

/** Outbox records `personId` made (or that have no owner) and that have not reached the server yet. */
export function countUnsent(personId: string): Promise<number> {
  return db.outbox.filter((r) => !r.personId || r.personId === personId).count()
}
