/**
 * `reflection_like`: like or unlike a reflection of one's group. One row per (reflection, person),
 * so liking twice is one like; the later choice by server order stands.
 */
import { ReflectionLikePayload } from '../../../../src/protocol/reflections.ts'
import { authorizeConversation } from '../../reflections/conversation.ts'
import { defineKind } from './kind.ts'

export const reflectionLike = defineKind({
  kind: 'reflection_like',
  payload: ReflectionLikePayload,
  authorize: (ctx, records) => authorizeConversation(ctx, records.map((r) => r.payload.reflectionId)),
  async apply({ trx, receivedAt }, records) {
    for (const r of records) {
      const { reflectionId, liked } = r.payload
      if (liked) {
        await trx
          .insertInto('reflection_like')
          .values({ reflection_id: reflectionId, person_id: r.personId, received_at: receivedAt })
          .onConflict((oc) => oc.columns(['reflection_id', 'person_id']).doNothing())
          .execute()
      } else {
        await trx.deleteFrom('reflection_like').where('reflection_id', '=', reflectionId).where('person_id', '=', r.personId).execute()
      }
    }
  },
})
