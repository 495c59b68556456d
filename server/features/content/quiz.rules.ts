/**
 * The rules a question and a quiz must keep, in one place: content:import (quiz.parse.ts) turns
 * the first problem into `file:line: message`, the course studio (studio.validate.ts) shows every
 * problem next to its form field. Both hand in plain values; only the file's shape (is this YAML
 * node a list?) is checked by the parser alone, because a form cannot send a wrong shape.
 */
import type { QuestionTable } from '../../db/database.ts'
import type { QuizSelection } from '../../../src/protocol/quiz.ts'
import { letter, type Scorable } from '../../../src/protocol/quiz.scoring.ts'

export const QUESTION_TYPES = ['single', 'multiple', 'truefalse', 'fill'] as const
export type QuestionType = (typeof QUESTION_TYPES)[number]

/** A rule broken, with the field it concerns (`answer`, `questions.draw.count` …). */
export interface RuleProblem {
  field: string
  message: string
}

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === ''
const requiredText = (key: string) => `"${key}" is required text`

export interface QuestionInput {
  type: unknown
  stem: unknown
  /** Choice questions only; undefined = not given (a file may omit it). */
  options: string[] | undefined
  /** A file's YAML value (letter, list, true/false, text) or the form's list of strings. */
  answer: unknown
  explanation: unknown
  source: unknown
}

export interface CheckedQuestion {
  type: QuestionType
  options: string[]
  /** Sorted letters, ["true"|"false"] or accepted texts. */
  answer: string[]
  sourceKind: QuestionTable['source_kind']
}

/** One of a list or of a one-item list: the file writes `answer: B`, the form sends ["B"]. */
const one = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v)

/**
 * Every rule one question breaks, in the order of its fields. `sourceKind` says whether an id is
 * a lesson or a pocket-book entry the question may cite.
 */
export function questionProblems(q: QuestionInput, sourceKind: (id: string) => QuestionTable['source_kind'] | undefined): { problems: RuleProblem[]; checked?: CheckedQuestion } {
  const problems: RuleProblem[] = []
  const fail = (field: string, message: string) => problems.push({ field, message })
  const type = q.type as QuestionType
  if (!QUESTION_TYPES.includes(type)) fail('type', `"type" must be one of ${QUESTION_TYPES.join(', ')}, got "${String(q.type)}"`)
  if (blank(q.stem)) fail('stem', requiredText('stem'))
  const choice = type === 'single' || type === 'multiple'
  const options = choice ? (q.options ?? []).map((o) => o.trim()) : []
  if (choice && options.length < 2) fail('options', 'a choice question needs at least 2 options')
  if (choice && options.some((o) => o === '')) fail('options', 'an option is empty')
  if (!choice && q.options !== undefined && q.options.length > 0) fail('options', `a ${type} question has no options`)
  const letters = options.map((_, i) => letter(i))
  let answer: string[] = []
  if (type === 'single') {
    const raw = one(q.answer)
    if (typeof raw !== 'string' || !letters.includes(raw)) fail('answer', `answer ${JSON.stringify(raw ?? '')} is not one of the options ${letters.join(', ')}`)
    else answer = [raw]
  } else if (type === 'multiple') {
    const list = Array.isArray(q.answer) ? q.answer.map(String) : []
    const bad = list.find((a) => !letters.includes(a))
    if (bad !== undefined || list.length === 0) fail('answer', `answer letter ${JSON.stringify(bad ?? '')} is not one of the options ${letters.join(', ')}`)
    else if (new Set(list).size !== list.length) fail('answer', 'answer repeats a letter')
    answer = [...list].sort()
  } else if (type === 'truefalse') {
    const raw = one(q.answer)
    const value = raw === true || raw === 'true' ? 'true' : raw === false || raw === 'false' ? 'false' : undefined
    if (value === undefined) fail('answer', `a truefalse answer is true or false, got ${JSON.stringify(raw ?? null)}`)
    else answer = [value]
  } else if (type === 'fill') {
    const raw = q.answer
    answer = (typeof raw === 'string' || typeof raw === 'number' ? [raw] : Array.isArray(raw) ? raw : []).map((a) => String(a).trim())
    if (answer.length === 0 || answer.some((a) => a === '')) fail('answer', 'a fill question needs at least one accepted answer')
  }
  let kind: QuestionTable['source_kind'] | undefined
  if (blank(q.source)) fail('source', requiredText('source'))
  else if (!(kind = sourceKind((q.source as string).trim()))) fail('source', `source "${(q.source as string).trim()}" is neither a lesson nor a pocket-book entry id`)
  if (blank(q.explanation)) fail('explanation', requiredText('explanation'))
  return problems.length ? { problems } : { problems, checked: { type, options, answer, sourceKind: kind! } }
}

/** What a quiz rule needs to know about a question it may ask. */
export interface KnownQuestion {
  id: string
  tags: string[]
  examOnly: boolean
  scorable: Scorable
}

export interface QuizInput {
  title: unknown
  description: unknown
  /** From a file, whatever its `questions:` held; from the form, a QuizSelection. */
  selection: { fixed?: string[]; draw?: { bank: unknown; count: unknown; tags: string[] } }
  timeLimitMinutes: unknown
  passMark: unknown
  shuffleOptions: unknown
}

export interface QuizLookup {
  question(id: string): KnownQuestion | undefined
  /** The question ids of a bank, or undefined when there is no such bank. */
  bank(id: string): string[] | undefined
  /** How to name where questions live in a message ("any bank", "any bank of this unit or above"). */
  where?: string
}

const wholeAtLeast1 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1

/** Every rule a quiz breaks; with none, its selection, candidate questions and exam flag. */
export function quizProblems(
  z: QuizInput,
  lookup: QuizLookup,
): { problems: RuleProblem[]; checked?: { selection: QuizSelection; candidates: KnownQuestion[]; examOnly: boolean } } {
  const problems: RuleProblem[] = []
  const fail = (field: string, message: string) => problems.push({ field, message })
  if (blank(z.title)) fail('title', requiredText('title'))
  if (blank(z.description)) fail('description', requiredText('description'))
  let selection: QuizSelection | undefined
  let candidates: KnownQuestion[] = []
  if (z.selection.fixed !== undefined) {
    const fixed = z.selection.fixed
    const unknown = fixed.find((q) => !lookup.question(q))
    if (fixed.length === 0) fail('questions.fixed', '"fixed" must list at least one question')
    else if (unknown) fail('questions.fixed', `question "${unknown}" is not in ${lookup.where ?? 'any bank'}`)
    else if (new Set(fixed).size !== fixed.length) fail('questions.fixed', 'a question is listed twice')
    else {
      selection = { fixed }
      candidates = fixed.map((q) => lookup.question(q)!)
    }
  } else if (z.selection.draw !== undefined) {
    const { bank, count, tags } = z.selection.draw
    const ids = typeof bank === 'string' ? lookup.bank(bank) : undefined
    if (!ids) fail('questions.draw.bank', `bank "${String(bank ?? '')}" does not exist`)
    if (!wholeAtLeast1(count)) fail('questions.draw.count', '"count" must be a whole number ≥ 1')
    if (ids && wholeAtLeast1(count)) {
      candidates = ids.map((q) => lookup.question(q)!).filter((q) => tags.length === 0 || q.tags.some((t) => tags.includes(t)))
      if (candidates.length < (count as number)) {
        fail('questions.draw.count', `bank "${bank as string}" has ${candidates.length} questions${tags.length ? ` tagged ${tags.join('/')}` : ''}, fewer than count ${count as number}`)
      } else selection = { draw: { bank: bank as string, count: count as number, tags } }
    }
  } else fail('questions', '"questions" must have "fixed: [ids]" or "draw: {bank, count}"')
  if (z.timeLimitMinutes !== undefined && z.timeLimitMinutes !== null && !wholeAtLeast1(z.timeLimitMinutes)) fail('timeLimitMinutes', '"timeLimitMinutes" must be a whole number ≥ 1')
  const p = z.passMark
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 100) fail('passMark', '"passMark" must be a percentage 0–100')
  if (typeof z.shuffleOptions !== 'boolean') fail('shuffleOptions', '"shuffleOptions" must be true or false')
  const examOnly = candidates.length > 0 && candidates.every((q) => q.examOnly)
  // A quiz mixing both would put exam questions on phones as practice, answers and all.
  if (!examOnly && candidates.some((q) => q.examOnly)) fail('questions', 'a quiz takes either only exam-bank questions or none')
  return problems.length || !selection ? { problems } : { problems, checked: { selection, candidates, examOnly } }
}
