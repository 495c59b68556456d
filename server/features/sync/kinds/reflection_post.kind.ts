/**
 * `reflection_post` (晒心得): a member posts a study reflection, with up to 3 photos, to their own
 * party group. The reflection id is made on the phone, so a replay inserts nothing twice.
 */
import { REFLECTION_TEXT_MAX, textProblem } from '../../../../src/protocol/reflections.limits.ts'
import { ReflectionPostPayload } from '../../../../src/protocol/reflections.ts'
import { photoRefusal } from '../../reflections/photo.check.ts'
import { branchOf, findReflections, unitOfPerson } from '../../reflections/reflections.repository.ts'
import { defineKind, type Refusal } from './kind.ts'

export const reflectionPost = defineKind({
  kind: 'reflection_post',
  payload: ReflectionPostPayload,
  async authorize(ctx, records) {
    const unit = await unitOfPerson(ctx.trx, ctx.auth.personId)
    const existing = await findReflections(ctx.trx, records.map((r) => r.payload.reflectionId))
    return records.map(({ payload: p }): Refusal | null => {
      if (!unit || p.orgUnitId !== unit.id) {
        return { code: 'FORBIDDEN', message: 'You can post reflections only to your own party group.', field: 'payload.orgUnitId' }
      }
      const owner = existing.get(p.reflectionId)?.person_id
      if (owner !== undefined && owner !== ctx.auth.personId) {
        return { code: 'CONFLICT', message: 'Another reflection already has this id.', field: 'payload.reflectionId' }
      }
      const problem = textProblem(p.text, REFLECTION_TEXT_MAX)
      if (problem) {
        const message = problem === 'empty' ? 'payload.text is empty' : `payload.text is longer than ${REFLECTION_TEXT_MAX} characters`
        return { code: 'INVALID_PAYLOAD', message, field: 'payload.text' }
      }
      for (const [n, photo] of p.photos.entries()) {
        const bad = photoRefusal(photo, `payload.photos.${n}`)
        if (bad) return bad
      }
      return null
    })
  },
  async apply({ trx, receivedAt }, records) {
    if (records.length === 0) return
    const unit = (await unitOfPerson(trx, records[0]!.personId))!
    for (const r of records) {
      const p = r.payload
      const inserted = await trx
        .insertInto('reflection')
        .values({
          id: p.reflectionId,
          person_id: r.personId,
          org_unit_id: unit.id,
          branch_id: branchOf(unit),
          lesson_id: p.lessonId ?? null,
          course_id: p.courseId ?? null,
          text: p.text.trim(),
          photo_count: p.photos.length,
          status: 'normal',
          reason: null,
          reviewed_by: null,
          reviewed_at: null,
          device: r.deviceId,
          created_at: r.at,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute()
      // Photos only with the reflection this record created (a second record with the same reflection id adds nothing).
      if (inserted.length === 0 || p.photos.length === 0) continue
      await trx
        .insertInto('reflection_photo')
        .values(p.photos.map((data, n) => ({ reflection_id: p.reflectionId, n, data })))
        .execute()
    }
  },
})
