/**
 * `home_visit` (上门送学): a leader took study to an elderly or housebound member's home and
 * records what was studied, a note and optionally a small photo. Written once, never edited;
 * the visit id is made on the phone, so a replay or a second record for the same visit is harmless.
 */
import { HomeVisitPayload, MEETING_MAX_PAST_MS } from '../../../../src/protocol/attendance.ts'
import { allows } from '../../../shared/authz.ts'
import { personPaths, unitPaths } from '../../attendance/attendance.repository.ts'
import { photoRefusal } from '../../reflections/photo.check.ts'
import { defineKind, type Refusal } from './kind.ts'

/** A phone clock a day fast still files today's visit. */
const CLOCK_SLACK_MS = 24 * 60 * 60 * 1000

export const homeVisit = defineKind({
  kind: 'home_visit',
  payload: HomeVisitPayload,
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const units = await unitPaths(ctx.trx, records.map((r) => r.payload.orgUnitId))
    const people = await personPaths(ctx.trx, records.map((r) => r.payload.personId))
    return records.map(({ payload: p }): Refusal | null => {
      const path = units.get(p.orgUnitId)
      if (!path || !allows(grants, path, 'group_leader')) {
        return { code: 'FORBIDDEN', message: 'Only a leader of this group can record its home visits.', field: 'payload.orgUnitId' }
      }
      if (!people.get(p.personId)?.startsWith(path)) {
        return { code: 'FORBIDDEN', message: 'This person is not a member of your group.', field: 'payload.personId' }
      }
      // A visit is recorded at or after the fact: nothing in the future (beyond clock slack), nothing absurdly old.
      if (p.visitedAt < ctx.receivedAt - MEETING_MAX_PAST_MS || p.visitedAt > ctx.receivedAt + CLOCK_SLACK_MS) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.visitedAt is too far in the past or the future', field: 'payload.visitedAt' }
      }
      return p.photo === undefined ? null : photoRefusal(p.photo, 'payload.photo')
    })
  },
  async apply({ trx, receivedAt }, records) {
    for (const r of records) {
      const p = r.payload
      await trx
        .insertInto('home_visit')
        .values({
          id: p.visitId,
          org_unit_id: p.orgUnitId,
          person_id: p.personId,
          visited_by: r.personId,
          visited_at: p.visitedAt,
          studied: p.studied.trim(),
          note: p.note.trim(),
          lesson_id: p.lessonId ?? null,
          photo: p.photo ?? null,
          device: r.deviceId,
          created_at: r.at,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    }
  },
})
