/**
 * The rule replies and likes share: the reflection exists, is not hidden, and the sender belongs
 * to its group or leads above it. Everything else is refused, so nobody learns what a hidden or
 * foreign reflection says by poking at it.
 */
import type { KindContext, Refusal } from '../sync/kinds/kind.ts'
import { canSee, findReflections, unitOfPerson } from './reflections.repository.ts'

export async function authorizeConversation(ctx: KindContext, reflectionIds: string[]): Promise<(Refusal | null)[]> {
  const found = await findReflections(ctx.trx, reflectionIds)
  const viewer = { personId: ctx.auth.personId, unitId: (await unitOfPerson(ctx.trx, ctx.auth.personId))?.id, grants: await ctx.grants() }
  return reflectionIds.map((id): Refusal | null => {
    const ref = found.get(id)
    if (!ref) return { code: 'INVALID_PAYLOAD', message: 'No such reflection on the server.', field: 'payload.reflectionId' }
    if (!canSee(ref, viewer)) return { code: 'FORBIDDEN', message: 'This reflection belongs to another party group.', field: 'payload.reflectionId' }
    if (ref.status === 'hidden') return { code: 'INVALID_PAYLOAD', message: 'This reflection was hidden by a leader.', field: 'payload.reflectionId' }
    return null
  })
}
