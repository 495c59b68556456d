/**
 * Flowing members' record card 一卡 (组织生活记录卡): organisational life a member working away
 * from home attended elsewhere, recorded on their phone (offline) and confirmed or returned by a
 * leader of their home group. Shared by the server (TypeBox schemas) and the PWA (`import type`).
 */
import { Type, type Static } from 'typebox'
import { HOME_VISIT_PHOTO_MAX_CHARS } from './attendance.ts'

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })

/** The same limit as a home-visit photo: a record always fits in one push batch. */
export const FLOWING_PHOTO_MAX_CHARS = HOME_VISIT_PHOTO_MAX_CHARS

export const FlowingRecordPayload = Type.Object(
  {
    /** Made on the member's phone, so the review can name the record. */
    recordId: Uuid,
    /** When the meeting or study took place (epoch ms). */
    heldOn: Type.Integer(),
    place: Type.String({ minLength: 1, maxLength: 200 }),
    /** The organisation that held it (the branch where the member works now). */
    organisation: Type.String({ minLength: 1, maxLength: 200 }),
    content: Type.String({ minLength: 1, maxLength: 1000 }),
    photo: Type.Optional(Type.String({ maxLength: FLOWING_PHOTO_MAX_CHARS, pattern: '^[A-Za-z0-9+/]+={0,2}$' })),
  },
  { additionalProperties: false },
)
export type FlowingRecordPayload = Static<typeof FlowingRecordPayload>

export const FlowingRecordReviewPayload = Type.Object(
  {
    recordId: Uuid,
    decision: Type.Union([Type.Literal('confirmed'), Type.Literal('returned')]),
    /** Required when returning: the member reads it on their phone. */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type FlowingRecordReviewPayload = Static<typeof FlowingRecordReviewPayload>

export const FlowingStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('returned')])
export type FlowingStatus = Static<typeof FlowingStatusSchema>

export const FlowingRecord = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  orgUnitId: Type.String(),
  heldOn: Type.Integer(),
  place: Type.String(),
  organisation: Type.String(),
  content: Type.String(),
  hasPhoto: Type.Boolean(),
  status: FlowingStatusSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  reviewedByName: Type.Union([Type.String(), Type.Null()]),
  reviewedAt: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Integer(),
  /** Set when the record came from a guest check-in at this meeting (confirmed with no review). */
  meetingId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})
export type FlowingRecord = Static<typeof FlowingRecord>
