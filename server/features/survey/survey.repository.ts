/**
 * Training-needs surveys 需求调研 (migration 037, docs/surveys.md): creating one, a member's open
 * surveys, and the leaders' figures. Results are counted by GROUP BY over `survey_answer_item`
 * (index survey_id, question_id, value) joined to the answer's snapshot of the person's groups,
 * so no query reads the people table per answer; an anonymous survey hides every figure that
 * counts fewer than ANONYMITY_THRESHOLD people.
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { MemberGroup } from '../../../src/protocol/assignment.ts'
import {
  ANONYMITY_THRESHOLD,
  AGE_BANDS,
  OCCUPATIONS,
  optionId,
  SPLITS,
  type MySurvey,
  type SplitName,
  type SurveyCreate,
  type SurveyQuestion,
  type SurveyQuestionResult,
  type SurveyResults,
  type SurveySummary,
  type SurveyUnitRates,
} from '../../../src/protocol/survey.ts'
import type { Database, SurveyTable } from '../../db/database.ts'
import { ApiError } from '../../shared/errors.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { inMemberGroup } from '../assignment/assignment.repository.ts'
import { decodeCursor, encodeCursor } from '../org/org.repository.ts'
import { pullScope } from '../sync/pull.repository.ts'

export type SurveyRow = Selectable<SurveyTable>
export type SurveyWithPath = SurveyRow & { unit_path: string }

/** A member keeps seeing a survey this long after it closed (that their answer counted). */
export const SURVEY_SHOWN_AFTER_CLOSE_MS = 7 * 86_400_000
const MY_SURVEYS_LIMIT = 20
const TEXTS_SHOWN = 50

const invalid = (message: string, field: string) => new ApiError(400, 'VALIDATION', message, field)

export const questionsOf = (s: Pick<SurveyRow, 'questions'>) => JSON.parse(s.questions) as SurveyQuestion[]

export function summaryOf(s: SurveyRow): SurveySummary {
  return {
    id: s.id,
    title: s.title,
    orgUnitId: s.org_unit_id,
    memberGroup: s.member_group,
    anonymous: s.anonymous === 1,
    opensAt: Number(s.opens_at),
    closesAt: Number(s.closes_at),
    questionCount: questionsOf(s).length,
  }
}

/** Sends a questionnaire to a unit; the caller has authorised the unit. Questions are numbered q1, q2… */
export async function createSurvey(db: Kysely<Database>, createdBy: string, body: SurveyCreate, now: number): Promise<SurveyRow> {
  if (body.closesAt <= body.opensAt) throw invalid('body.closesAt must be after body.opensAt', 'body.closesAt')
  if (body.closesAt <= now) throw invalid('body.closesAt must be in the future', 'body.closesAt')
  const questions = body.questions.map((q, i): SurveyQuestion => {
    const options = (q.options ?? []).map((o) => o.trim())
    const choice = q.type === 'single' || q.type === 'multiple'
    if (choice && options.length < 2) throw invalid(`body.questions.${i}.options: a choice question needs 2 to 10 options`, `body.questions.${i}.options`)
    if (!choice && options.length > 0) throw invalid(`body.questions.${i}.options: a ${q.type} question has no options`, `body.questions.${i}.options`)
    return { id: `q${i + 1}`, type: q.type, text: q.text.trim(), options }
  })
  const survey: SurveyRow = {
    id: randomUUID(),
    org_unit_id: body.orgUnitId,
    member_group: body.memberGroup ?? null,
    title: body.title.trim(),
    questions: JSON.stringify(questions),
    anonymous: body.anonymous ? 1 : 0,
    opens_at: body.opensAt,
    closes_at: body.closesAt,
    created_by: createdBy,
    created_at: now,
  }
  await db.insertInto('survey').values(survey).execute()
  return survey
}

export async function findSurvey(db: Kysely<Database>, id: string): Promise<SurveyWithPath | undefined> {
  return db
    .selectFrom('survey')
    .innerJoin('org_unit', 'org_unit.id', 'survey.org_unit_id')
    .selectAll('survey')
    .select('org_unit.path as unit_path')
    .where('survey.id', '=', id)
    .executeTakeFirst()
}

/** A unit's surveys (sent to it or below), latest closing first, one page. */
export async function surveysInSubtree(db: Kysely<Database>, path: string, limit: number, before?: [string, string]) {
  let q = db
    .selectFrom('survey')
    .innerJoin('org_unit', 'org_unit.id', 'survey.org_unit_id')
    .selectAll('survey')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .orderBy('survey.closes_at', 'desc')
    .orderBy('survey.id', 'desc')
    .limit(limit + 1)
  if (before) {
    const [closes, id] = [Number(before[0]), before[1]]
    q = q.where((eb) => eb.or([eb('survey.closes_at', '<', closes), eb.and([eb('survey.closes_at', '=', closes), eb('survey.id', '<', id)])]))
  }
  const rows = await q.execute()
  const items = rows.slice(0, limit).map(summaryOf)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor(String(last.closesAt), last.id) : null }
}

/** Whether a survey reaches a person with these units (their own and above) and member groups. */
export const addressedTo = (s: Pick<SurveyRow, 'org_unit_id' | 'member_group'>, units: Set<string>, groups: MemberGroup[]) =>
  units.has(s.org_unit_id) && (s.member_group === null || groups.includes(s.member_group))

/**
 * The surveys addressed to the member that have opened and closed at most a week ago (index
 * survey_unit_idx: one range per unit above them, a handful), with when their answer was stored.
 */
export async function mySurveys(db: Kysely<Database>, personId: string, now: number): Promise<MySurvey[]> {
  const scope = await pullScope(db, personId, now)
  if (scope.orgUnitIds.length === 0) return []
  const rows = await db
    .selectFrom('survey')
    .leftJoin('survey_answer', (j) => j.onRef('survey_answer.survey_id', '=', 'survey.id').on('survey_answer.person_id', '=', personId))
    .selectAll('survey')
    .select('survey_answer.created_at as answered_at')
    .where('survey.org_unit_id', 'in', scope.orgUnitIds)
    .where('survey.closes_at', '>', now - SURVEY_SHOWN_AFTER_CLOSE_MS)
    .where('survey.opens_at', '<=', now)
    .where((eb) => (scope.memberGroups.length ? eb.or([eb('survey.member_group', 'is', null), eb('survey.member_group', 'in', scope.memberGroups)]) : eb('survey.member_group', 'is', null)))
    .orderBy('survey.closes_at', 'desc')
    .limit(MY_SURVEYS_LIMIT)
    .execute()
  return rows.map((s) => ({
    id: s.id,
    title: s.title,
    anonymous: s.anonymous === 1,
    opensAt: Number(s.opens_at),
    closesAt: Number(s.closes_at),
    closed: Number(s.closes_at) <= now,
    questions: questionsOf(s),
    answeredAt: s.answered_at === null ? null : Number(s.answered_at),
  }))
}

/** Active members under the survey's unit in its member group: those it is addressed to. */
function addressedPeople(db: Kysely<Database>, s: SurveyWithPath, now: number) {
  const group = s.member_group
  let q = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .leftJoin('survey_answer', (j) => j.onRef('survey_answer.person_id', '=', 'person.id').on('survey_answer.survey_id', '=', s.id))
    .where('person.status', '=', 'active')
    .where('org_unit.path', '>=', s.unit_path)
    .where('org_unit.path', '<', subtreeEnd(s.unit_path))
  if (group) q = q.where((eb) => inMemberGroup(eb, group, now))
  return q
}

/** Each split's column in `survey_answer`, and its groups in the order shown. */
const SPLIT_COLUMNS: Record<SplitName, { column: 'age_band' | 'is_flowing' | 'is_elderly' | 'is_new' | 'occupation'; keys: readonly string[] }> = {
  ageBand: { column: 'age_band', keys: AGE_BANDS },
  flowing: { column: 'is_flowing', keys: ['yes', 'no'] },
  elderly: { column: 'is_elderly', keys: ['yes', 'no'] },
  new: { column: 'is_new', keys: ['yes', 'no'] },
  occupation: { column: 'occupation', keys: [...OCCUPATIONS, 'unknown'] },
}
const keyOf = (v: string | number) => (typeof v === 'number' || /^[01]$/.test(v) ? (Number(v) === 1 ? 'yes' : 'no') : v)

/** Counts of (question, value[, split key]) and of people who answered each question[, per key]. */
async function counts(db: Kysely<Database>, surveyId: string, split?: SplitName) {
  const column = split ? SPLIT_COLUMNS[split].column : null
  const base = db
    .selectFrom('survey_answer_item as i')
    .innerJoin('survey_answer as a', (j) => j.onRef('a.survey_id', '=', 'i.survey_id').onRef('a.person_id', '=', 'i.person_id'))
    .where('i.survey_id', '=', surveyId)
  const keyed = column ? sql<string>`${sql.ref(`a.${column}`)}` : sql<string>`''`
  const [values, answered] = await Promise.all([
    base
      .select((eb) => ['i.question_id', 'i.value', keyed.as('k'), eb.fn.countAll<number>().as('n')])
      .where('i.value', 'is not', null)
      .groupBy(column ? ['i.question_id', 'i.value', `a.${column}`] : ['i.question_id', 'i.value'])
      .execute(),
    base
      .select((eb) => ['i.question_id', keyed.as('k'), eb.fn.count<number>('i.person_id').distinct().as('n')])
      .groupBy(column ? ['i.question_id', `a.${column}`] : ['i.question_id'])
      .execute(),
  ])
  const byValue = new Map(values.map((r) => [`${r.question_id}|${keyOf(r.k)}|${r.value}`, Number(r.n)]))
  const byQuestion = new Map(answered.map((r) => [`${r.question_id}|${keyOf(r.k)}`, Number(r.n)]))
  return { value: (q: string, k: string, v: string) => byValue.get(`${q}|${k}|${v}`) ?? 0, answered: (q: string, k: string) => byQuestion.get(`${q}|${k}`) ?? 0 }
}

/**
 * Results per question, overall and split by member group. In an anonymous survey a group with
 * fewer than ANONYMITY_THRESHOLD answers shows no figure at all, and any count of 1 to 4 is
 * hidden (null): no figure can be traced back to a person. Text answers carry names only when
 * the survey is not anonymous.
 */
export async function surveyResults(db: Kysely<Database>, s: SurveyWithPath, now: number): Promise<SurveyResults> {
  const anonymous = s.anonymous === 1
  const questions = questionsOf(s)
  const [overall, ...bySplit] = await Promise.all([counts(db, s.id), ...SPLITS.map((split) => counts(db, s.id, split))])
  const totals = await addressedPeople(db, s, now)
    .select((eb) => [eb.fn.countAll<number>().as('addressed'), eb.fn.count<number>('survey_answer.person_id').as('answered')])
    .executeTakeFirstOrThrow()
  const respondents = await db
    .selectFrom('survey_answer')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('survey_id', '=', s.id)
    .executeTakeFirstOrThrow()

  /** A count as shown: hidden when an anonymous survey would show 1 to 4 people, or a group under the threshold. */
  const shown = (n: number, groupAnswered: number) => (anonymous && (groupAnswered < ANONYMITY_THRESHOLD || (n > 0 && n < ANONYMITY_THRESHOLD)) ? null : n)

  const results: SurveyQuestionResult[] = []
  for (const q of questions) {
    const values = q.type === 'rating' ? ['1', '2', '3', '4', '5'] : q.options.map((_, i) => optionId(i))
    const answered = overall.answered(q.id, '')
    const raw = values.map((v) => overall.value(q.id, '', v))
    const sum = q.type === 'rating' ? raw.reduce((acc, n, i) => acc + n * (i + 1), 0) : 0
    results.push({
      id: q.id,
      type: q.type,
      text: q.text,
      values,
      labels: q.type === 'rating' ? values : q.options,
      answered: shown(answered, answered),
      counts: raw.map((n) => shown(n, answered)),
      mean: q.type === 'rating' && answered > 0 && shown(answered, answered) !== null ? Math.round((10 * sum) / answered) / 10 : null,
      splits: q.type === 'text'
        ? []
        : SPLITS.map((name, i) => ({
            name,
            groups: SPLIT_COLUMNS[name].keys.map((key) => {
              const groupAnswered = bySplit[i]!.answered(q.id, key)
              return { key, answered: shown(groupAnswered, groupAnswered), counts: values.map((v) => shown(bySplit[i]!.value(q.id, key, v), groupAnswered)) }
            }),
          })),
      texts: q.type === 'text' ? await textsOf(db, s.id, q.id, anonymous) : [],
    })
  }
  return { survey: summaryOf(s), addressed: Number(totals.addressed), respondents: Number(respondents.n), questions: results }
}

/** The latest text answers; an anonymous survey's in text order, so neither names nor time point to anyone. */
async function textsOf(db: Kysely<Database>, surveyId: string, questionId: string, anonymous: boolean) {
  const q = db
    .selectFrom('survey_answer_item as i')
    .where('i.survey_id', '=', surveyId)
    .where('i.question_id', '=', questionId)
    .where('i.text', 'is not', null)
    .limit(TEXTS_SHOWN)
  if (anonymous) return (await q.select('i.text').orderBy('i.text').execute()).map((r) => ({ text: r.text! }))
  const rows = await q
    .innerJoin('survey_answer as a', (j) => j.onRef('a.survey_id', '=', 'i.survey_id').onRef('a.person_id', '=', 'i.person_id'))
    .innerJoin('person', 'person.id', 'i.person_id')
    .select(['i.text', 'person.name'])
    .orderBy('a.created_at', 'desc')
    .execute()
  return rows.map((r) => ({ text: r.text!, name: r.name }))
}

/**
 * Response rate per unit that has addressed members, in tree order, one page: members now
 * under each unit and how many of them answered (survey_answer by its primary key).
 */
export async function unitRates(db: Kysely<Database>, s: SurveyWithPath, now: number, limit: number, afterUnitId?: string): Promise<SurveyUnitRates> {
  let q = addressedPeople(db, s, now)
    .select((eb) => ['org_unit.id', 'org_unit.name', 'org_unit.path', eb.fn.countAll<number>().as('members'), eb.fn.count<number>('survey_answer.person_id').as('answered')])
    .groupBy(['org_unit.id', 'org_unit.name', 'org_unit.path'])
    .orderBy('org_unit.path')
    .limit(limit + 1)
  // The cursor is the last unit's id (its path can be longer than a cursor may be).
  if (afterUnitId !== undefined) q = q.where('org_unit.path', '>', (eb) => eb.selectFrom('org_unit as last').select('last.path').where('last.id', '=', afterUnitId))
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({ orgUnitId: r.id, orgUnitName: r.name, members: Number(r.members), answered: Number(r.answered) })),
    next: rows.length > limit && last ? encodeCursor(last.id, '') : null,
  }
}

export { decodeCursor }
