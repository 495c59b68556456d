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
    /**
     * The review the leader saw in force (the record's `reviewId`; null = none, the card was
     * pending). A review based on an older one than the server's is kept in history, not applied.
     * Old phones omit it: their review replaces only their own author's review.
     */
    basedOn: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type FlowingRecordReviewPayload = Static<typeof FlowingRecordReviewPayload>

export const FlowingStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('returned')])
export type FlowingStatus = Static<typeof FlowingStatusSchema>

const Decision = Type.Union([Type.Literal('confirmed'), Type.Literal('returned')])

/** One review of a card, kept for ever (append-only), applied or not. */
export const FlowingReview = Type.Object({
  /** The push record's id (what `basedOn` names). */
  id: Type.String(),
  decision: Decision,
  reason: Type.Union([Type.String(), Type.Null()]),
  reviewedByName: Type.String(),
  /** Device time, never later than the server received it. */
  at: Type.Integer(),
  basedOn: Type.Union([Type.String(), Type.Null()]),
  /** Set when it arrived based on an older review than the one in force: not applied (已被更正). */
  overruledBy: Type.Union([Type.Object({ name: Type.String(), decision: Decision, at: Type.Integer() }), Type.Null()]),
})
export type FlowingReview = Static<typeof FlowingReview>

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
  /** The review in force (what a leader's phone sends as `basedOn`); null = pending. */
  reviewId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Every review in arrival order, overruled ones included. */
  reviews: Type.Optional(Type.Array(FlowingReview)),
})
export type FlowingRecord = Static<typeof FlowingRecord>
