/**
 * Annual study plans 年度学习计划 and the monthly branch report. A unit's plan is its own items
 * plus the items of every unit above it (a township's or district's plan is inherited).
 */
import { Type, type Static } from 'typebox'
import { MEETING_TYPES, type MeetingType } from './attendance.ts'

const MeetingTypeSchema = Type.Unsafe<MeetingType>(Type.String({ enum: [...MEETING_TYPES] }))
export const PLAN_ITEM_KINDS = ['course', 'quiz', 'meeting'] as const
const PlanItemKind = Type.Union([Type.Literal('course'), Type.Literal('quiz'), Type.Literal('meeting')])
const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })
const Year = Type.Integer({ minimum: 2000, maximum: 2100 })
const Month = Type.Integer({ minimum: 1, maximum: 12 })

export const PlanQuery = Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }), year: Year })
export type PlanQuery = Static<typeof PlanQuery>

export const PlanItem = Type.Object({
  id: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  /** true when a unit above the one asked about published it */
  inherited: Type.Boolean(),
  year: Type.Integer(),
  month: Type.Integer(),
  kind: PlanItemKind,
  refId: Type.Union([Type.String(), Type.Null()]),
  meetingType: Type.Union([MeetingTypeSchema, Type.Null()]),
  title: Type.String(),
  note: Type.String(),
})
export type PlanItem = Static<typeof PlanItem>

/** A new item; `id` is made by the client so a retried request adds it once. */
export const PlanItemCreate = Type.Object(
  {
    id: Uuid,
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    year: Year,
    month: Month,
    kind: PlanItemKind,
    refId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    meetingType: Type.Optional(MeetingTypeSchema),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
)
export type PlanItemCreate = Static<typeof PlanItemCreate>

export const PlanItemPatch = Type.Object(
  { month: Type.Optional(Month), title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false, minProperties: 1 },
)
export type PlanItemPatch = Static<typeof PlanItemPatch>

/** A month as "2026-11" (China time). */
export const MonthQuery = Type.Object({ month: Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$' }) })

export const MonthFigures = Type.Object({
  studySeconds: Type.Integer(),
  membersStudied: Type.Integer(),
  members: Type.Integer(),
  meetingsHeld: Type.Integer(),
  /** percent of current marks that are present/remote/checked in; null without marks */
  attendanceRate: Type.Union([Type.Number(), Type.Null()]),
  quizAttempts: Type.Integer(),
  /** percent of attempts passed; null without attempts */
  quizPassRate: Type.Union([Type.Number(), Type.Null()]),
  newFlowingRecords: Type.Integer(),
  /** meetings held and planned, by meeting type */
  meetings: Type.Array(Type.Object({ type: MeetingTypeSchema, held: Type.Integer(), planned: Type.Integer() })),
})
export type MonthFigures = Static<typeof MonthFigures>

export const MonthlyReport = Type.Object({
  orgUnit: Type.Object({ id: Type.String(), name: Type.String() }),
  month: Type.String(),
  previousMonth: Type.String(),
  current: MonthFigures,
  previous: MonthFigures,
})
export type MonthlyReport = Static<typeof MonthlyReport>
