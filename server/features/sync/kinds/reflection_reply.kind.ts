/**
 * `reflection_reply`: a member of the reflection's group (or a leader above it) replies. The
 * reply id is made on the phone, so a replay is harmless. Hidden or unknown reflections take none.
 */
import { REPLY_TEXT_MAX, textProblem } from '../../../../src/protocol/reflections.limits.ts'
import { ReflectionReplyPayload } from '../../../../src/protocol/reflections.ts'
import { authorizeConversation } from '../../reflections/conversation.ts'
import { defineKind } from './kind.ts'

export const reflectionReply = defineKind({
  kind: 'reflection_reply',
  payload: ReflectionReplyPayload,
  async authorize(ctx, records) {
    const refusals = await authorizeConversation(ctx, records.map((r) => r.payload.reflectionId))
    return records.map(({ payload: p }, i) => {
      if (refusals[i]) return refusals[i]
      const problem = textProblem(p.text, REPLY_TEXT_MAX)
      if (!problem) return null
      const message = problem === 'empty' ? 'payload.text is empty' : `payload.text is longer than ${REPLY_TEXT_MAX} characters`
      return { code: 'INVALID_PAYLOAD' as const, message, field: 'payload.text' }
    })
  },
  async apply({ trx, receivedAt }, records) {
    for (const r of records) {
      await trx
        .insertInto('reflection_reply')
        .values({
          id: r.payload.replyId,
          reflection_id: r.payload.reflectionId,
          person_id: r.personId,
          text: r.payload.text.trim(),
          device: r.deviceId,
          created_at: r.at,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    }
  },
})
