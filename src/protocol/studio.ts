/**
 * Course studio 课件工作室 (issue 15, docs/studio.md): drafts, review, versions. A draft may be
 * incomplete while it is written; the content rules (the ones content:import enforces) are
 * checked on submit and shown next to each field as `problems` meanwhile.
 */
import { Type, type Static } from 'typebox'
import { Revision } from './common.ts'
import { CourseKind } from './content.ts'

const Text = (maxLength: number) => Type.String({ maxLength })
/** Ids the server gave (a lesson keeps its id across versions, so phones keep their progress). */
const StudioId = Type.String({ pattern: '^s-[a-z0-9]{1,40}$' })

export const LessonDraft = Type.Object(
  {
    /** Absent on a lesson added since the last save: the server gives it one. */
    id: Type.Optional(StudioId),
    title: Text(200),
    minutes: Type.Integer({ minimum: 0, maximum: 600 }),
    /** Markdown, rendered and sanitised on the phone exactly as imported lessons are. */
    body: Text(100_000),
    // null first: the API coerces types, and a null tried against a string first would become ''.
    audio: Type.Union([Type.Null(), Text(500)]),
    /**
     * A video lesson: the studio upload's id (GET /api/v1/studio/videos/:id); the body is then the
     * notes below the video and may be empty. Null or absent: a text lesson. Publishing writes the
     * lesson row as content:import does (`video` and `video_source`), so phones see one form.
     */
    video: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 64 })])),
  },
  { additionalProperties: false },
)
export type LessonDraft = Static<typeof LessonDraft>

export const CourseDraft = Type.Object(
  {
    type: Type.Literal('course'),
    title: Text(200),
    kind: CourseKind,
    category: Text(64),
    description: Text(2000),
    cover: Type.Union([Type.Null(), Text(500)]),
    /** From the lecturer pool 师资库 of the unit or a unit above it. */
    lecturerId: Type.Union([Type.Null(), Type.String({ maxLength: 64 })]),
    lessons: Type.Array(LessonDraft, { maxItems: 200 }),
  },
  { additionalProperties: false },
)
export type CourseDraft = Static<typeof CourseDraft>

export const PocketEntryDraft = Type.Object(
  {
    type: Type.Literal('pocket_entry'),
    title: Text(200),
    category: Text(64),
    tags: Type.Array(Text(30), { maxItems: 20 }),
    body: Text(20_000),
  },
  { additionalProperties: false },
)
export type PocketEntryDraft = Static<typeof PocketEntryDraft>

export const QuestionDraft = Type.Object(
  {
    /** Absent on a question added since the last save: the server gives it one (like lessons). */
    id: Type.Optional(StudioId),
    type: Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('truefalse'), Type.Literal('fill')]),
    stem: Text(1000),
    /** Choice questions: option i has letter A+i; [] otherwise. */
    options: Type.Array(Text(300), { maxItems: 26 }),
    /** Letters (choice), ["true"|"false"], or the accepted texts (fill): as quizzes score them. */
    answer: Type.Array(Text(200), { maxItems: 26 }),
    explanation: Text(2000),
    /** A lesson or pocket-book entry id the result page links to. */
    source: Text(64),
    tags: Type.Array(Text(30), { maxItems: 20 }),
  },
  { additionalProperties: false },
)
export type QuestionDraft = Static<typeof QuestionDraft>

export const QuestionBankDraft = Type.Object(
  {
    type: Type.Literal('question_bank'),
    title: Text(200),
    /** An exam bank's questions never reach phones (docs/quiz.md, exams). */
    exam: Type.Boolean(),
    questions: Type.Array(QuestionDraft, { maxItems: 500 }),
  },
  { additionalProperties: false },
)
export type QuestionBankDraft = Static<typeof QuestionBankDraft>

export const QuizDraft = Type.Object(
  {
    type: Type.Literal('quiz'),
    title: Text(200),
    description: Text(2000),
    /** Fixed question ids, or a draw from a bank (its published id) when an attempt starts. */
    questions: Type.Union([
      Type.Object({ fixed: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 }) }, { additionalProperties: false }),
      Type.Object(
        { draw: Type.Object({ bank: Type.String({ maxLength: 64 }), count: Type.Integer({ minimum: 0, maximum: 500 }), tags: Type.Array(Text(30), { maxItems: 20 }) }, { additionalProperties: false }) },
        { additionalProperties: false },
      ),
    ]),
    timeLimitMinutes: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 600 })]),
    passMark: Type.Integer({ minimum: -1000, maximum: 1000 }),
    shuffleOptions: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type QuizDraft = Static<typeof QuizDraft>

export const Draft = Type.Union([CourseDraft, PocketEntryDraft, QuestionBankDraft, QuizDraft])
export type Draft = Static<typeof Draft>
export type StudioKind = Draft['type']
export const StudioKindSchema = Type.Union([Type.Literal('course'), Type.Literal('pocket_entry'), Type.Literal('question_bank'), Type.Literal('quiz')])

/** A rule the draft breaks, with the form field it belongs to (e.g. `lessons.2.minutes`). */
export const Problem = Type.Object({ field: Type.String(), message: Type.String() })
export type Problem = Static<typeof Problem>

export const StudioStatus = Type.Union([Type.Literal('draft'), Type.Literal('submitted'), Type.Literal('rejected'), Type.Literal('published')])
export type StudioStatus = Static<typeof StudioStatus>

export const StudioItemSummary = Type.Object({
  id: Type.String(),
  kind: StudioKindSchema,
  title: Type.String(),
  orgUnitId: Type.String(),
  status: StudioStatus,
  publishedVersion: Type.Union([Type.Integer(), Type.Null()]),
  unpublished: Type.Boolean(),
  updatedAt: Type.Integer(),
  updatedByName: Type.String(),
})
export type StudioItemSummary = Static<typeof StudioItemSummary>

export const StudioItem = Type.Object({
    ...StudioItemSummary.properties,
    /** The published row's id (course / pocket entry) on phones. */
    contentId: Type.String(),
    draft: Draft,
    revision: Type.Integer(),
    submittedByName: Type.Union([Type.String(), Type.Null()]),
    rejectReason: Type.Union([Type.String(), Type.Null()]),
    problems: Type.Array(Problem),
    /** The reader may approve or reject it now (someone else submitted it, and they may review here). */
    canReview: Type.Boolean(),
})
export type StudioItem = Static<typeof StudioItem>

export const StudioItemPage = Type.Object({ items: Type.Array(StudioItemSummary), next: Type.Union([Type.String(), Type.Null()]) })
export type StudioItemPage = Static<typeof StudioItemPage>

export const StudioListQuery = Type.Object({
  orgUnitId: Type.String({ maxLength: 64 }),
  kind: StudioKindSchema,
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})
export type StudioListQuery = Static<typeof StudioListQuery>

export const CreateItemBody = Type.Object({ orgUnitId: Type.String({ maxLength: 64 }), draft: Draft }, { additionalProperties: false })
export type CreateItemBody = Static<typeof CreateItemBody>

/** A save names the revision it was based on: a stale one gets 409 with the current item. */
export const SaveItemBody = Type.Object({ revision: Revision, draft: Draft }, { additionalProperties: false })
export type SaveItemBody = Static<typeof SaveItemBody>

export const RevisionBody = Type.Object({ revision: Revision }, { additionalProperties: false })
export type RevisionBody = Static<typeof RevisionBody>

export const RejectBody = Type.Object({ revision: Revision, reason: Type.String({ maxLength: 500 }) }, { additionalProperties: false })
export type RejectBody = Static<typeof RejectBody>

export const RollbackBody = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })
export type RollbackBody = Static<typeof RollbackBody>

/** 409 STALE_REVISION: both versions, so the editor sees what the other person saved. */
export const SaveConflict = Type.Object({
  statusCode: Type.Literal(409),
  code: Type.Literal('STALE_REVISION'),
  message: Type.String(),
  field: Type.String(),
  mine: Draft,
  theirs: StudioItem,
})
export type SaveConflict = Static<typeof SaveConflict>

/** What an approval would change on phones, against the published version. */
export const FieldChange = Type.Object({ field: Type.String(), before: Type.String(), after: Type.String() })
export const LessonChange = Type.Object({
  id: Type.String(),
  title: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('changed'), Type.Literal('removed')]),
  fields: Type.Array(FieldChange),
})
export const StudioDiff = Type.Object({
  /** null: never published (everything is new). */
  againstVersion: Type.Union([Type.Integer(), Type.Null()]),
  fields: Type.Array(FieldChange),
  lessons: Type.Array(LessonChange),
})
export type StudioDiff = Static<typeof StudioDiff>
export type FieldChange = Static<typeof FieldChange>
export type LessonChange = Static<typeof LessonChange>

export const StudioVersion = Type.Object({
  number: Type.Integer(),
  action: Type.Union([Type.Literal('publish'), Type.Literal('rollback')]),
  rolledBackFrom: Type.Union([Type.Integer(), Type.Null()]),
  editedByName: Type.String(),
  approvedByName: Type.String(),
  publishedAt: Type.Integer(),
  current: Type.Boolean(),
})
export type StudioVersion = Static<typeof StudioVersion>
export const StudioVersionList = Type.Object({ items: Type.Array(StudioVersion) })
export type StudioVersionList = Static<typeof StudioVersionList>

/** A unit's own specialty category 特色课分类 (besides the six theme categories). */
export const CourseCategory = Type.Object({ id: Type.String(), title: Type.String(), orgUnitId: Type.String(), orgUnitName: Type.String() })
export type CourseCategory = Static<typeof CourseCategory>
/** The categories of a unit and the units above it: a short list (at most 50 per unit). */
export const CourseCategoryList = Type.Object({ items: Type.Array(CourseCategory) })
export type CourseCategoryList = Static<typeof CourseCategoryList>
export const CourseCategoryQuery = Type.Object({ orgUnitId: Type.String({ maxLength: 64 }) })
export const CourseCategoryBody = Type.Object({ orgUnitId: Type.String({ maxLength: 64 }), title: Type.String({ maxLength: 30 }) }, { additionalProperties: false })
export type CourseCategoryBody = Static<typeof CourseCategoryBody>

/** A published course on a lecturer's page. */
export const LecturerCourse = Type.Object({
  id: Type.String(),
  title: Type.String(),
  category: Type.String(),
  categoryTitle: Type.Union([Type.String(), Type.Null()]),
  orgUnitName: Type.String(),
  publishedAt: Type.Integer(),
})
export type LecturerCourse = Static<typeof LecturerCourse>
