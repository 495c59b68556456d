/**
 * Assignments 布置学习 (issues 6 and 8): a course or a quiz set for an org unit (everyone under
 * it, or one member group of it) or for named people, with a due date. Secretaries manage them
 * over REST; phones receive the ones that apply to them through the pull (`assignment` rows).
 */
import { Type, type Static } from 'typebox'
import { EpochMs, PageQuery } from './common.ts'

/** Differentiated training: who in a unit an assignment may be narrowed to, by person flags. */
export const MemberGroup = Type.Union([Type.Literal('flowing'), Type.Literal('elderly'), Type.Literal('new'), Type.Literal('committee')])
export type MemberGroup = Static<typeof MemberGroup>
export const MEMBER_GROUPS: MemberGroup[] = ['flowing', 'elderly', 'new', 'committee']

/** "Newly joined" = joined the Party within this many months. */
export const NEW_MEMBER_MONTHS = 12

export const ContentKind = Type.Union([Type.Literal('course'), Type.Literal('quiz')])
export type ContentKind = Static<typeof ContentKind>

const Id = Type.String({ minLength: 1, maxLength: 64 })

export const AssignmentCreate = Type.Object(
  {
    /** Made on the device, so a create retried after a lost answer is stored once. */
    id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$', description: 'a UUID made by the client' }),
    contentKind: ContentKind,
    contentId: Id,
    /** The unit whose members get it; for named people, the unit they are picked from. */
    orgUnitId: Id,
    /** Named people (all under orgUnitId); omit for the whole unit. */
    personIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 200, uniqueItems: true })),
    /** Only this member group of the unit (not with personIds). */
    memberGroup: Type.Optional(MemberGroup),
    dueAt: EpochMs('epoch milliseconds, in the future'),
  },
  { additionalProperties: false },
)
export type AssignmentCreate = Static<typeof AssignmentCreate>

export const AssignmentView = Type.Object({
  id: Type.String(),
  contentKind: ContentKind,
  contentId: Type.String(),
  contentTitle: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  target: Type.Union([Type.Literal('unit'), Type.Literal('people')]),
  memberGroup: Type.Union([MemberGroup, Type.Null()]),
  /** Named people (target "people"); 0 otherwise. */
  personCount: Type.Integer(),
  dueAt: Type.Union([Type.Integer(), Type.Null()]),
  createdByName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  /** Whether the viewer may cancel it (a secretary over its unit). */
  canCancel: Type.Boolean(),
})
export type AssignmentView = Static<typeof AssignmentView>

export const AssignmentListQuery = Type.Object({ ...PageQuery.properties, orgUnitId: Id })
export type AssignmentListQuery = Static<typeof AssignmentListQuery>

/** One targeted person in the leaders' list; quiz fields for a quiz, course fields for a course. */
export const AssignmentResultRow = Type.Object({
  personId: Type.String(),
  name: Type.String(),
  orgUnitName: Type.String(),
  attempts: Type.Integer(),
  /** Of the latest attempt (the one that decides retraining). */
  lastScore: Type.Union([Type.Integer(), Type.Null()]),
  passed: Type.Union([Type.Boolean(), Type.Null()]),
  /** 复训: the latest attempt failed. Cleared by a later pass. */
  retraining: Type.Boolean(),
  lessonsCompleted: Type.Integer(),
})
export type AssignmentResultRow = Static<typeof AssignmentResultRow>

export const AssignmentResults = Type.Object({
  assignment: AssignmentView,
  summary: Type.Object({
    targeted: Type.Integer(),
    /** quiz: took it at least once; course: completed every lesson */
    done: Type.Integer(),
    passed: Type.Integer(),
    retraining: Type.Integer(),
    lessonsTotal: Type.Integer(),
  }),
  items: Type.Array(AssignmentResultRow),
  next: Type.Union([Type.String(), Type.Null()]),
})
export type AssignmentResults = Static<typeof AssignmentResults>

/** The leaders' list is seen from one of the viewer's units (their group, branch, township…). */
export const AssignmentResultsQuery = Type.Object({ ...PageQuery.properties, orgUnitId: Id })
export type AssignmentResultsQuery = Static<typeof AssignmentResultsQuery>
