/**
 * Reports for leaders and supervisors (issue 8): one org unit's figures, the same figures per
 * child unit (drill-down), its members, and how fresh the data from its phones is.
 */
import { Type, type Static } from 'typebox'
import { OrgKind } from './auth.ts'

const Count = Type.Integer({ minimum: 0 })
const Time = Type.Union([Type.Integer(), Type.Null()])

/** Every figure is a pair of counts (done, out of): the client shows rates, never the server's rounding. */
export const ReportFigures = Type.Object({
  members: Count,
  /** member × assigned-course pairs, and those where every lesson is completed */
  assigned: Count,
  completed: Count,
  /** distinct quizzes members attempted / passed at least once */
  quizzesAttempted: Count,
  quizzesPassed: Count,
  /** current attendance marks / those present, remote or checked in */
  marks: Count,
  attended: Count,
  /** members with no study in the last `weeks` weeks */
  behind: Count,
  /** meetings held since `since` */
  meetings: Count,
  /** flowing members' record cards waiting for their leader */
  flowingPending: Count,
})
export type ReportFigures = Static<typeof ReportFigures>

/** How up to date the server's picture of a unit is: when its phones last synced. */
export const Freshness = Type.Object({
  newestSyncAt: Time,
  oldestSyncAt: Time,
  /** members whose phones never pushed or pulled */
  neverSynced: Count,
  /** devices that said records were still waiting, and how many */
  devicesPending: Count,
  recordsPending: Count,
})
export type Freshness = Static<typeof Freshness>

export const ReportUnit = Type.Object({ id: Type.String(), name: Type.String(), kind: OrgKind })
export type ReportUnit = Static<typeof ReportUnit>

export const ChildReport = Type.Object({ unit: ReportUnit, figures: ReportFigures, freshness: Freshness })
export type ChildReport = Static<typeof ChildReport>

export const ChildSort = Type.Union([
  Type.Literal('name'),
  Type.Literal('completion'),
  Type.Literal('passRate'),
  Type.Literal('attendance'),
  Type.Literal('behind'),
  Type.Literal('lastSync'),
  Type.Literal('oldestSync'),
  Type.Literal('neverSynced'),
  Type.Literal('pending'),
])
export type ChildSort = Static<typeof ChildSort>

const ReportWindow = {
  weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 52, default: 4, description: 'members with no study for this many weeks are behind' })),
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'count meetings held in this calendar year (UTC+8), the annual plan’s; default: this year' })),
}

export const UnitReportQuery = Type.Object({
  ...ReportWindow,
  sort: Type.Optional(ChildSort),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
})
export type UnitReportQuery = Static<typeof UnitReportQuery>

export const UnitReport = Type.Object({
  unit: ReportUnit,
  /** ancestors the viewer may open, top first (breadcrumbs) */
  trail: Type.Array(ReportUnit),
  /** the year whose meetings are counted, and its first moment (epoch ms, UTC+8) */
  year: Type.Integer(),
  since: Type.Integer(),
  weeks: Type.Integer(),
  generatedAt: Type.Integer(),
  /**
   * The figures count every change the server received before this time (epoch ms): summaries
   * are brought up to date a moment after each sync, so under load they may lag `generatedAt`.
   */
  asOf: Type.Integer(),
  figures: ReportFigures,
  freshness: Freshness,
  /** meetings held in the year by type, beside what the plans of the branches in the subtree ask for */
  meetingsByType: Type.Array(Type.Object({ type: Type.String(), count: Count, planned: Count })),
  /** one page of child units, in the order asked for */
  children: Type.Array(ChildReport),
  childCount: Count,
})
export type UnitReport = Static<typeof UnitReport>

export const MemberReportQuery = Type.Object({
  ...ReportWindow,
  behindOnly: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type MemberReportQuery = Static<typeof MemberReportQuery>

export const MemberReport = Type.Object({
  id: Type.String(),
  name: Type.String(),
  unitName: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  lastStudyAt: Time,
  behind: Type.Boolean(),
  studySeconds: Count,
  assigned: Count,
  completed: Count,
  quizzesAttempted: Count,
  quizzesPassed: Count,
  marks: Count,
  attended: Count,
  lastSyncAt: Time,
  recordsPending: Count,
})
export type MemberReport = Static<typeof MemberReport>

export const MemberReportPage = Type.Object({
  items: Type.Array(MemberReport),
  next: Type.Union([Type.String(), Type.Null()]),
  /** as in UnitReport */
  asOf: Type.Integer(),
})
export type MemberReportPage = Static<typeof MemberReportPage>
