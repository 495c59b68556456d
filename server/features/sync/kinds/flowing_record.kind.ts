/**
 * `flowing_record` (一卡): a flowing member records organisational life attended away from home.
 * It is filed `pending` under their home unit until a leader there reviews it
 * (`flowing_record_review`). The record id is made on the phone, so a replay is harmless.
 */
import { MEETING_MAX_PAST_MS } from '../../../../src/protocol/attendance.ts'
import { FlowingRecordPayload } from '../../../../src/protocol/flowing.ts'
import { photoRefusal } from '../../reflections/photo.check.ts'
import { defineKind, type Refusal } from './kind.ts'

/** A phone clock a day fast still files today's meeting. */
const CLOCK_SLACK_MS = 24 * 60 * 60 * 1000

export const flowingRecord = defineKind({
  kind: 'flowing_record',
  payload: FlowingRecordPayload,
  async authorize(ctx, records) {
    const me = await ctx.trx
      .selectFrom('person')
      .select(['is_flowing', 'status'])
      .where('id', '=', ctx.auth.personId)
      .executeTakeFirst()
    const owners = new Map(
      records.length === 0
        ? []
        : (
            await ctx.trx
              .selectFrom('flowing_record')
              .select(['id', 'person_id'])
              .where('id', 'in', records.map((r) => r.payload.recordId))
              .execute()
          ).map((r) => [r.id, r.person_id]),
    )
    return records.map(({ payload: p }): Refusal | null => {
      if (Number(me?.is_flowing) !== 1 || me?.status !== 'active') {
        return { code: 'FORBIDDEN', message: 'Only a flowing member can keep a record card.' }
      }
      const owner = owners.get(p.recordId)
      if (owner !== undefined && owner !== ctx.auth.personId) {
        return { code: 'CONFLICT', message: 'Another person’s record already has this id.', field: 'payload.recordId' }
      }
      if (p.heldOn < ctx.receivedAt - MEETING_MAX_PAST_MS || p.heldOn > ctx.receivedAt + CLOCK_SLACK_MS) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.heldOn is too far in the past or the future', field: 'payload.heldOn' }
      }
      return p.photo === undefined ? null : photoRefusal(p.photo, 'payload.photo')
    })
  },
  async apply({ trx, receivedAt }, records) {
    if (records.length === 0) return
    const person = await trx.selectFrom('person').select('org_unit_id').where('id', '=', records[0]!.personId).executeTakeFirstOrThrow()
    for (const r of records) {
      const p = r.payload
      await trx
        .insertInto('flowing_record')
        .values({
          id: p.recordId,
          person_id: r.personId,
          org_unit_id: person.org_unit_id,
          held_on: p.heldOn,
          place: p.place.trim(),
          organisation: p.organisation.trim(),
          content: p.content.trim(),
          photo: p.photo ?? null,
          status: 'pending',
          reason: null,
          reviewed_by: null,
          reviewed_at: null,
          device: r.deviceId,
          created_at: r.at,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    }
  },
})
