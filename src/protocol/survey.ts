/**
 * Training-needs surveys 需求调研 (issue 17, part 2; docs/surveys.md): a short questionnaire a
 * secretary sends to a unit or one member group of it, answered offline through the outbox
 * (`survey_answer`), read back as counts per question split by member group. Shared by the
 * server (TypeBox) and the PWA (types).
 */
import { Type, type Static } from 'typebox'
import { MemberGroup } from './assignment.ts'
import { RECORD_TIME_MAX } from './sync.ts'

const Time = () => Type.Integer({ minimum: 0, maximum: RECORD_TIME_MAX })

export const SURVEY_MAX_QUESTIONS = 20
export const SURVEY_MAX_OPTIONS = 10
export const SURVEY_TEXT_MAX = 200
/** In an anonymous survey, a figure counting fewer people than this is not shown. */
export const ANONYMITY_THRESHOLD = 5

export const SurveyQuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('rating'), Type.Literal('text')])
export type SurveyQuestionType = Static<typeof SurveyQuestionType>

/** Occupation categories of a person (migration 037), for the occupation split. */
export const OCCUPATIONS = ['farmer', 'migrant', 'business', 'civil_servant', 'teacher', 'retired', 'other'] as const
export type Occupation = (typeof OCCUPATIONS)[number]
export const Occupation = Type.Unsafe<Occupation>(Type.String({ enum: [...OCCUPATIONS] }))
/** 我的 → 职业: a person sets (or clears, null) their own category. */
export const OccupationBody = Type.Object({ occupation: Type.Union([Occupation, Type.Null()]) }, { additionalProperties: false })
export type OccupationBody = Static<typeof OccupationBody>

/** Age bands by year of birth; `unknown` when none was given. */
export const AGE_BANDS = ['under35', '35to49', '50to64', '65plus', 'unknown'] as const
export type AgeBand = (typeof AGE_BANDS)[number]
export function ageBandOf(birthYear: number | null | undefined, year: number): AgeBand {
  if (birthYear == null) return 'unknown'
  const age = year - birthYear
  return age < 35 ? 'under35' : age < 50 ? '35to49' : age < 65 ? '50to64' : '65plus'
}

/** Option ids are letters by position: A, B, C… */
export const optionId = (index: number) => String.fromCharCode(65 + index)

export const SurveyQuestionInput = Type.Object(
  {
    type: SurveyQuestionType,
    text: Type.String({ minLength: 1, maxLength: 200 }),
    /** For single and multiple choice: 2 to 10 options; none for rating and text. */
    options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: SURVEY_MAX_OPTIONS })),
  },
  { additionalProperties: false },
)

export const SurveyCreate = Type.Object(
  {
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Only this member group of the unit (the assignment groups). */
    memberGroup: Type.Optional(MemberGroup),
    title: Type.String({ minLength: 1, maxLength: 100 }),
    anonymous: Type.Boolean(),
    opensAt: Time(),
    closesAt: Time(),
    questions: Type.Array(SurveyQuestionInput, { minItems: 1, maxItems: SURVEY_MAX_QUESTIONS }),
  },
  { additionalProperties: false },
)
export type SurveyCreate = Static<typeof SurveyCreate>

/** A question as stored and sent: the server numbers questions q1, q2… */
export const SurveyQuestion = Type.Object({
  id: Type.String(),
  type: SurveyQuestionType,
  text: Type.String(),
  options: Type.Array(Type.String()),
})
export type SurveyQuestion = Static<typeof SurveyQuestion>

export const SurveySummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  orgUnitId: Type.String(),
  memberGroup: Type.Union([MemberGroup, Type.Null()]),
  anonymous: Type.Boolean(),
  opensAt: Type.Integer(),
  closesAt: Type.Integer(),
  questionCount: Type.Integer(),
})
export type SurveySummary = Static<typeof SurveySummary>

/** A survey as its member sees it (`GET /surveys/mine`). */
export const MySurvey = Type.Object({
  id: Type.String(),
  title: Type.String(),
  anonymous: Type.Boolean(),
  opensAt: Type.Integer(),
  closesAt: Type.Integer(),
  /** The server's judgement at the time of the answer. */
  closed: Type.Boolean(),
  questions: Type.Array(SurveyQuestion),
  /** When the server last stored this member's answer; null when it has none. */
  answeredAt: Type.Union([Type.Integer(), Type.Null()]),
})
export type MySurvey = Static<typeof MySurvey>

export const MySurveys = Type.Object({ items: Type.Array(MySurvey), serverNow: Type.Integer() })
export type MySurveys = Static<typeof MySurveys>

export const SurveyAnswer = Type.Object(
  {
    questionId: Type.String({ minLength: 1, maxLength: 8 }),
    /** Option letters, for single (one) and multiple choice. */
    choices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2 }), { minItems: 1, maxItems: SURVEY_MAX_OPTIONS })),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: SURVEY_TEXT_MAX })),
  },
  { additionalProperties: false },
)
export type SurveyAnswer = Static<typeof SurveyAnswer>

export const SurveyAnswerPayload = Type.Object(
  {
    /** Made on the phone for this answer. */
    answerId: Type.String({ minLength: 1, maxLength: 64 }),
    surveyId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Questions left blank are simply absent. */
    answers: Type.Array(SurveyAnswer, { maxItems: SURVEY_MAX_QUESTIONS }),
  },
  { additionalProperties: false },
)
export type SurveyAnswerPayload = Static<typeof SurveyAnswerPayload>

/** A count, or null when an anonymous survey hides it (fewer than ANONYMITY_THRESHOLD people). */
const Cell = Type.Union([Type.Integer(), Type.Null()])

export const SPLITS = ['ageBand', 'flowing', 'elderly', 'new', 'occupation'] as const
export type SplitName = (typeof SPLITS)[number]

export const SurveySplitGroup = Type.Object({
  /** An AgeBand, an Occupation or `unknown`, or `yes`/`no` for the flags. */
  key: Type.String(),
  /** How many in this group answered the question. */
  answered: Cell,
  /** Per value, in the order of `values`. */
  counts: Type.Array(Cell),
})

export const SurveyQuestionResult = Type.Object({
  id: Type.String(),
  type: SurveyQuestionType,
  text: Type.String(),
  /** Option letters, or "1"…"5" for a rating; empty for text. */
  values: Type.Array(Type.String()),
  labels: Type.Array(Type.String()),
  answered: Cell,
  counts: Type.Array(Cell),
  /** Mean rating to one decimal (rating questions with a shown count). */
  mean: Type.Union([Type.Number(), Type.Null()]),
  splits: Type.Array(Type.Object({ name: Type.Unsafe<SplitName>(Type.String({ enum: [...SPLITS] })), groups: Type.Array(SurveySplitGroup) })),
  /** Text answers, newest first (at most 50); `name` only when the survey is not anonymous. */
  texts: Type.Array(Type.Object({ text: Type.String(), name: Type.Optional(Type.String()) })),
})
export type SurveyQuestionResult = Static<typeof SurveyQuestionResult>

export const SurveyResults = Type.Object({
  survey: SurveySummary,
  /** Members the survey is addressed to (active, in its unit's subtree and group) and how many answered. */
  addressed: Type.Integer(),
  respondents: Type.Integer(),
  questions: Type.Array(SurveyQuestionResult),
})
export type SurveyResults = Static<typeof SurveyResults>

export const SurveyUnitRate = Type.Object({
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  members: Type.Integer(),
  answered: Type.Integer(),
})
export type SurveyUnitRate = Static<typeof SurveyUnitRate>

export const SurveyUnitRates = Type.Object({ items: Type.Array(SurveyUnitRate), next: Type.Union([Type.String(), Type.Null()]) })
export type SurveyUnitRates = Static<typeof SurveyUnitRates>
