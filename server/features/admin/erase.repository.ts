/**
 * Right to erasure (PIPL art. 47): what a district admin's deletion request removes. The person's
 * row and the ids on every record stay, so each attendance mark, study event, quiz attempt and
 * record-card entry still counts where it counted (reports, rates, meeting lists); what goes is
 * what says who they are or what they wrote about themselves. The decision, field by field, is in
 * docs/security.md ("Deletion requests"). Runs inside the caller's transaction.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { phoneKey } from '../auth/auth.routes.ts'

/** What lists and rosters show instead of the name. */
export const ERASED_NAME = '已删除人员'

/** Rows changed per table: the audit entry records these counts (never the values). */
export type ErasedCounts = Record<string, number>

const n = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) => Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0)

/** Erases the person; undefined when they were erased already (by a concurrent request). */
export async function erasePerson(trx: Kysely<Database>, personId: string, now: number): Promise<ErasedCounts | undefined> {
  const { phone } = await trx.selectFrom('person').select('phone').where('id', '=', personId).executeTakeFirstOrThrow()
  const person = await trx
    .updateTable('person')
    .set({
      name: ERASED_NAME,
      // The phone number is unique: a placeholder that is no phone number, so no one can sign in
      // with it and the real number can be given to a new account.
      phone: `erased-${personId}`,
      // Not a scrypt hash: no password ever matches it.
      password_hash: 'erased',
      must_change_password: 0,
      is_elderly: 0,
      joined_party_at: null,
      occupation: null,
      birth_year: null,
      status: 'inactive',
      erased_at: now,
    })
    .where('id', '=', personId)
    .where('erased_at', 'is', null)
    .executeTakeFirst()
  if (n(person) === 0) return undefined
  const counts: ErasedCounts = {}
  // Sessions go (not just revoked): the phone's next request finds no session and gets 401.
  counts.session = n(await trx.deleteFrom('session').where('person_id', '=', personId).executeTakeFirst())
  counts.role = n(await trx.deleteFrom('role').where('person_id', '=', personId).executeTakeFirst())
  // The sign-in counter is keyed by the phone number.
  await trx.deleteFrom('rate_limit').where('key', '=', phoneKey(phone)).execute()

  // Leave reasons are often about health or family.
  counts.attendance_mark = n(await trx.updateTable('attendance_mark').set({ reason: null }).where('person_id', '=', personId).where('reason', 'is not', null).executeTakeFirst())
  counts.attendance_mark_overruled = n(
    await trx.updateTable('attendance_mark_overruled').set({ reason: null }).where('person_id', '=', personId).where('reason', 'is not', null).executeTakeFirst(),
  )
  // What they wrote in surveys (their choices and ratings stay, counted without them).
  counts.survey_answer_item = n(
    await trx
      .updateTable('survey_answer_item')
      .set({ text: '' })
      .where('survey_id', 'in', trx.selectFrom('survey_answer').select('survey_id').where('person_id', '=', personId))
      .where('person_id', '=', personId)
      .where('text', 'is not', null)
      .executeTakeFirst(),
  )
  // Study brought to their door: the note and photo show them and their home.
  counts.home_visit = n(await trx.updateTable('home_visit').set({ note: '', photo: null }).where('person_id', '=', personId).executeTakeFirst())
  // Visits they made as a leader stay in the visited member's record, without their photos.
  counts.home_visit_photo = n(
    await trx.updateTable('home_visit').set({ photo: null }).where('visited_by', '=', personId).where('photo', 'is not', null).executeTakeFirst(),
  )
  // Their record card: where they worked away from home, what they wrote, their photos.
  counts.flowing_record = n(
    await trx
      .updateTable('flowing_record')
      .set({ place: '', organisation: '', content: '', photo: null })
      .where('person_id', '=', personId)
      .executeTakeFirst(),
  )
  // Reflections and replies are their own words; the rows (and likes) stay for the counts.
  const reflections = trx.selectFrom('reflection').select('id').where('person_id', '=', personId)
  counts.reflection_photo = n(await trx.deleteFrom('reflection_photo').where('reflection_id', 'in', reflections).executeTakeFirst())
  counts.reflection = n(await trx.updateTable('reflection').set({ text: '', photo_count: 0 }).where('person_id', '=', personId).executeTakeFirst())
  counts.reflection_reply = n(await trx.updateTable('reflection_reply').set({ text: '' }).where('person_id', '=', personId).executeTakeFirst())
  return counts
}
