/**
 * Shapes shared by every route of the REST/sync protocol. Imported by the server (as TypeBox
 * schemas for validation and OpenAPI) and by the PWA (as `import type` only, so no schema code
 * reaches the phone's bundle).
 */
import { Type, type Static, type TSchema } from 'typebox'

/** Every error answer: a stable `code` for programs, a readable `message`, the offending field. */
export const ApiErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'stable machine-readable code, e.g. VALIDATION, UNAUTHENTICATED' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the request field at fault, e.g. body.phone' })),
    lockedUntil: Type.Optional(Type.Integer({ description: 'epoch ms when a 429 lockout ends (also in Retry-After)' })),
  },
)
export type ApiErrorBody = Static<typeof ApiErrorBody>

/** Error responses a route may give, to spread into its `response` schema. */
export function errorResponses<C extends number>(...codes: C[]): Record<C, typeof ApiErrorBody> {
  return Object.fromEntries(codes.map((c) => [c, ApiErrorBody])) as Record<C, typeof ApiErrorBody>
}

/** Keyset paging: `cursor` is opaque to the client; `next` is null on the last page. */
export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type PageQuery = Static<typeof PageQuery>

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) })
}

/** A time in epoch ms that a JavaScript Date (and PostgreSQL's bigint) can hold: 1e308 is a 400 naming the field, not a database error. */
export const EpochMs = (description = 'epoch ms') => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description })

/** An edit counter, within PostgreSQL's integer. */
export const Revision = Type.Integer({ minimum: 0, maximum: 2_147_483_647 })

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type IdParams = Static<typeof IdParams>
