/**
 * Study reflections 晒心得: a member's short plain-text reflection after studying (up to 3 photos),
 * posted to their party group; members reply and like; leaders mark one excellent (shown to the
 * whole branch) or hide it with a reason. Every write is an outbox kind; the feeds are read routes.
 * Shared by the server (TypeBox schemas) and the PWA (`import type` only; limits: reflections.limits.ts).
 */
import { Type, type Static } from 'typebox'
import { REFLECTION_PHOTO_MAX_CHARS, REFLECTION_PHOTOS_MAX, REFLECTION_TEXT_MAX, REPLY_TEXT_MAX } from './reflections.limits.ts'

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })

// The schema's maxLength is only a cheap outer bound (UTF-16 units); `textProblem` is the rule.
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max * 2 })
const Photo = Type.String({ minLength: 4, maxLength: REFLECTION_PHOTO_MAX_CHARS, pattern: '^[A-Za-z0-9+/]+={0,2}$' })

export const ReflectionPostPayload = Type.Object(
  {
    /** Made on the phone, so replies and likes made offline can name the reflection. */
    reflectionId: Uuid,
    /** The author's party group; the server refuses it unless the author belongs there. */
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    lessonId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    courseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    text: Text(REFLECTION_TEXT_MAX),
    /** Base64 JPEGs re-encoded on the phone (which drops EXIF, GPS included). */
    photos: Type.Array(Photo, { maxItems: REFLECTION_PHOTOS_MAX }),
  },
  { additionalProperties: false },
)
export type ReflectionPostPayload = Static<typeof ReflectionPostPayload>

export const ReflectionReplyPayload = Type.Object(
  { replyId: Uuid, reflectionId: Uuid, text: Text(REPLY_TEXT_MAX) },
  { additionalProperties: false },
)
export type ReflectionReplyPayload = Static<typeof ReflectionReplyPayload>

/** Like or unlike: the person's latest choice (by server order) stands, so a replay changes nothing. */
export const ReflectionLikePayload = Type.Object({ reflectionId: Uuid, liked: Type.Boolean() }, { additionalProperties: false })
export type ReflectionLikePayload = Static<typeof ReflectionLikePayload>

export const ReflectionStatus = Type.Union([Type.Literal('normal'), Type.Literal('excellent'), Type.Literal('hidden')])
export type ReflectionStatus = Static<typeof ReflectionStatus>

/** A leader marks a reflection excellent, hides it (a reason is required: the author reads it), or sets it back to normal. */
export const ReflectionReviewPayload = Type.Object(
  {
    reflectionId: Uuid,
    status: ReflectionStatus,
    reason: Type.Optional(Type.String({ maxLength: 200 })),
    /**
     * The review the leader's phone showed in force (`reviewId`); null = none. A review based on an
     * older one than the server's is kept in the audit log, not applied (docs/sync-protocol.md).
     * Old phones omit it: their review replaces only their own author's review.
     */
    basedOn: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type ReflectionReviewPayload = Static<typeof ReflectionReviewPayload>

export const ReflectionReply = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  text: Type.String(),
  receivedAt: Type.Integer(),
})
export type ReflectionReply = Static<typeof ReflectionReply>

export const Reflection = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  orgUnitId: Type.String(),
  groupName: Type.String(),
  lessonId: Type.Union([Type.String(), Type.Null()]),
  courseId: Type.Union([Type.String(), Type.Null()]),
  lessonTitle: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  photoCount: Type.Integer(),
  status: ReflectionStatus,
  /** The hiding reason: sent only to the author and the group's leaders. */
  reason: Type.Union([Type.String(), Type.Null()]),
  likeCount: Type.Integer(),
  likedByMe: Type.Boolean(),
  replyCount: Type.Integer(),
  /** The latest replies, oldest first (at most REPLIES_SHOWN). */
  replies: Type.Array(ReflectionReply),
  /** Server clock: feeds are ordered by arrival, since phone clocks are often wrong. */
  receivedAt: Type.Integer(),
  /** May the reader mark or hide it (a leader of its group)? */
  canReview: Type.Boolean(),
  /** 好的进教材: may the reader propose it as a case (an excellent one, a unit open to them)? */
  mayProposeCase: Type.Optional(Type.Boolean()),
  /** Where its case proposal stands, for those who may propose it; null = none yet. */
  caseStatus: Type.Optional(Type.Union([Type.Literal('asked'), Type.Literal('agreed'), Type.Literal('refused'), Type.Null()])),
  /** The review in force (what a leader's phone sends as `basedOn`); null = never reviewed. */
  reviewId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})
export type Reflection = Static<typeof Reflection>

export const FeedQuery = Type.Object({
  /** A party group (group feed) or omitted for the reader's own group. */
  orgUnitId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** `excellent`: excellent reflections of the whole branch the group belongs to. */
  scope: Type.Optional(Type.Union([Type.Literal('group'), Type.Literal('excellent')])),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[0-9]{1,15}_[0-9a-f-]{36}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
})
export type FeedQuery = Static<typeof FeedQuery>

export const FeedPage = Type.Object({ items: Type.Array(Reflection), next: Type.Union([Type.String(), Type.Null()]) })
export type FeedPage = Static<typeof FeedPage>

export const StatsQuery = Type.Object({
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Calendar month in China time, YYYY-MM. */
  month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }),
  /** Paging through groups by path (a district has thousands). */
  cursor: Type.Optional(Type.String({ maxLength: 2000 })),
})
export type StatsQuery = Static<typeof StatsQuery>

export const GroupStats = Type.Object({
  orgUnitId: Type.String(),
  name: Type.String(),
  /** Names from the township down, e.g. "柳溪镇 / 桃园村党支部". */
  parentName: Type.String(),
  posts: Type.Integer(),
  authors: Type.Integer(),
  excellent: Type.Integer(),
  hidden: Type.Integer(),
})
export type GroupStats = Static<typeof GroupStats>

export const StatsPage = Type.Object({ month: Type.String(), items: Type.Array(GroupStats), next: Type.Union([Type.String(), Type.Null()]) })
export type StatsPage = Static<typeof StatsPage>
