/**
 * The training archive 培训档案 of one member: a year's totals and four paged sections (lessons
 * studied, quiz attempts, meetings attended, home visits received). Shared by the server
 * (TypeBox schemas) and the PWA (`import type` only).
 */
import { Type, type Static } from 'typebox'

export const ArchiveQuery = Type.Object({
  year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'calendar year, China time' }),
})
export type ArchiveQuery = Static<typeof ArchiveQuery>

export const ARCHIVE_SECTIONS = ['lessons', 'quizzes', 'meetings', 'visits'] as const
export type ArchiveSection = (typeof ARCHIVE_SECTIONS)[number]

export const ArchiveTotals = Type.Object({
  studySeconds: Type.Integer(),
  lessonsStudied: Type.Integer(),
  coursesCompleted: Type.Integer(),
  meetingsAttended: Type.Integer(),
  quizAttempts: Type.Integer(),
  quizzesPassed: Type.Integer({ description: 'distinct quizzes with at least one passed attempt' }),
  homeVisits: Type.Integer(),
})
export type ArchiveTotals = Static<typeof ArchiveTotals>

export const ArchiveCourse = Type.Object({ courseId: Type.String(), title: Type.String(), lessonsCompleted: Type.Integer(), lessons: Type.Integer() })
export type ArchiveCourse = Static<typeof ArchiveCourse>

/** A quiz whose latest attempt (any year) failed: the member should take it again. */
export const RetrainingFlag = Type.Object({ quizId: Type.String(), title: Type.String(), score: Type.Integer(), at: Type.Integer() })
export type RetrainingFlag = Static<typeof RetrainingFlag>

export const ArchiveSummary = Type.Object({
  person: Type.Object({ id: Type.String(), name: Type.String(), orgUnitName: Type.String() }),
  year: Type.Integer(),
  totals: ArchiveTotals,
  coursesCompleted: Type.Array(ArchiveCourse),
  retraining: Type.Array(RetrainingFlag),
})
export type ArchiveSummary = Static<typeof ArchiveSummary>

export const ArchiveLesson = Type.Object({
  lessonId: Type.String(),
  title: Type.String(),
  courseTitle: Type.String(),
  seconds: Type.Integer(),
  completed: Type.Boolean(),
  lastAt: Type.Integer(),
})
export const ArchiveQuiz = Type.Object({
  id: Type.String(),
  quizId: Type.String(),
  title: Type.String(),
  score: Type.Integer(),
  passed: Type.Boolean(),
  at: Type.Integer(),
})
export const ArchiveMeeting = Type.Object({
  id: Type.String(),
  /** a meeting type (三会一课 …), or `flowing` for a confirmed record card entry away from home */
  type: Type.String(),
  topic: Type.String(),
  place: Type.String(),
  at: Type.Integer(),
  status: Type.String({ description: 'present | remote | checked_in | flowing' }),
  guest: Type.Boolean({ description: 'attended as a guest at another unit’s meeting' }),
})
export const ArchiveVisit = Type.Object({
  id: Type.String(),
  at: Type.Integer(),
  studied: Type.String(),
  note: Type.String(),
  visitedByName: Type.String(),
})
export type ArchiveLesson = Static<typeof ArchiveLesson>
export type ArchiveQuiz = Static<typeof ArchiveQuiz>
export type ArchiveMeeting = Static<typeof ArchiveMeeting>
export type ArchiveVisit = Static<typeof ArchiveVisit>

export const ArchivePerson = Type.Object({ id: Type.String(), name: Type.String(), orgUnitName: Type.String() })
export type ArchivePerson = Static<typeof ArchivePerson>
