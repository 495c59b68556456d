/**
 * Reads content/quizzes/banks/*.yaml (question banks) and content/quizzes/*.yaml (quizzes) into
 * rows, after the lessons and pocket entries are known (every question names its source). Like
 * the rest of the import it only parses: any problem is a ContentError with file:line, and the
 * import writes nothing.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import type { QuestionTable, QuizTable, SyncedColumns } from '../../db/database.ts'
import type { QuizSelection } from '../../../src/protocol/quiz.ts'
import { letter, type Scorable } from '../../../src/protocol/quiz.scoring.ts'
import { ContentError } from './content.parse.ts'

type Parsed<T> = Omit<T, Exclude<keyof SyncedColumns, 'content_hash'>>
export type ParsedQuestion = Parsed<QuestionTable>
/** A quiz row and, for its snapshot, every question the quiz may ask (with answers). */
export type ParsedQuiz = Parsed<QuizTable> & { candidates: Scorable[] }

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/
const TYPES = ['single', 'multiple', 'truefalse', 'fill'] as const

const hashOf = (row: unknown) => createHash('sha256').update(JSON.stringify(row)).digest('hex')

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
}

/** A YAML file with line-aware access to mappings. */
function load(path: string, file: string) {
  const counter = new LineCounter()
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: counter, prettyErrors: false })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    throw new ContentError(file, counter.linePos(e.pos[0]).line, `invalid YAML: ${e.message.split('\n')[0]}`)
  }
  const lineOf = (node: unknown): number => {
    const r = (node as { range?: number[] } | null)?.range
    return r ? counter.linePos(r[0]!).line : 1
  }
  /** Reads one mapping node; `line(key)` points at the key's value (or the mapping when absent). */
  const obj = (node: unknown) => {
    if (!isMap(node)) throw new ContentError(file, lineOf(node), 'expected a mapping of key: value')
    const pair = (key: string) => node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key)
    const line = (key: string) => {
      const p = pair(key)
      return p ? lineOf(p.value ?? p.key) : lineOf(node)
    }
    const fail = (key: string, what: string): never => {
      throw new ContentError(file, line(key), what)
    }
    const js = (key: string): unknown => {
      const v = pair(key)?.value
      return v && typeof (v as Node).toJSON === 'function' ? (v as Node).toJSON() : v
    }
    return {
      node: (key: string) => pair(key)?.value,
      js,
      line,
      fail,
      str(key: string, pattern?: RegExp): string {
        const v = js(key)
        if (typeof v !== 'string' || v.trim() === '') return fail(key, `"${key}" is required text`)
        if (pattern && !pattern.test(v)) return fail(key, `"${key}" ${JSON.stringify(v)} must match ${pattern}`)
        return v.trim()
      },
      strList(key: string, required = false): string[] {
        const v = js(key)
        if (v === undefined || v === null) return required ? fail(key, `"${key}" is required`) : []
        if (!Array.isArray(v) || !v.every((t) => typeof t === 'string' || typeof t === 'number')) return fail(key, `"${key}" must be a list of text`)
        return v.map((t) => String(t).trim())
      },
    }
  }
  return { doc, obj, lineOf }
}

/** Parses every bank and quiz. `lessons` and `entries` are the ids a question may cite as source. */
export function parseQuizzes(
  root: string,
  rel: (p: string) => string,
  lessons: Set<string>,
  entries: Set<string>,
): { questions: ParsedQuestion[]; quizzes: ParsedQuiz[] } {
  const questions: ParsedQuestion[] = []
  const byId = new Map<string, ParsedQuestion & { file: string }>()
  const banks = new Map<string, string[]>()

  const bankDir = join(root, 'quizzes', 'banks')
  for (const name of yamlFiles(bankDir)) {
    const file = rel(join(bankDir, name))
    const { doc, obj } = load(join(bankDir, name), file)
    const bank = obj(doc.contents)
    const bankId = bank.str('id', ID)
    if (banks.has(bankId)) bank.fail('id', `bank id "${bankId}" is already used`)
    bank.str('title')
    // An exam bank's questions never leave the server before an exam closes (migration 031).
    const exam = bank.js('exam') ?? false
    if (typeof exam !== 'boolean') bank.fail('exam', '"exam" must be true or false')
    const list = bank.node('questions')
    if (!isSeq(list) || list.items.length === 0) bank.fail('questions', '"questions" must be a non-empty list')
    const ids: string[] = []
    for (const item of (list as { items: unknown[] }).items) {
      const q = obj(item)
      const id = q.str('id', ID)
      const other = byId.get(id)
      if (other) q.fail('id', `question id "${id}" is already used in ${other.file}`)
      const type = q.str('type') as QuestionTable['type']
      if (!TYPES.includes(type)) q.fail('type', `"type" must be one of ${TYPES.join(', ')}, got "${type}"`)
      const stem = q.str('stem')
      const choice = type === 'single' || type === 'multiple'
      const options = choice ? q.strList('options', true) : []
      if (choice && options.length < 2) q.fail('options', 'a choice question needs at least 2 options')
      if (!choice && q.js('options') !== undefined) q.fail('options', `a ${type} question has no options`)
      const letters = options.map((_, i) => letter(i))
      const raw = q.js('answer')
      let answer: string[] = []
      if (type === 'single') {
        if (typeof raw !== 'string' || !letters.includes(raw)) q.fail('answer', `answer ${JSON.stringify(raw)} is not one of the options ${letters.join(', ')}`)
        answer = [raw as string]
      } else if (type === 'multiple') {
        const list = q.strList('answer', true)
        const bad = list.find((a) => !letters.includes(a))
        if (bad !== undefined || list.length === 0) q.fail('answer', `answer letter ${JSON.stringify(bad ?? '')} is not one of the options ${letters.join(', ')}`)
        if (new Set(list).size !== list.length) q.fail('answer', 'answer repeats a letter')
        answer = [...list].sort()
      } else if (type === 'truefalse') {
        if (typeof raw !== 'boolean') q.fail('answer', `a truefalse answer is true or false, got ${JSON.stringify(raw)}`)
        answer = [String(raw)]
      } else {
        answer = typeof raw === 'string' || typeof raw === 'number' ? [String(raw).trim()] : q.strList('answer', true)
        if (answer.length === 0 || answer.some((a) => a === '')) q.fail('answer', 'a fill question needs at least one accepted answer')
      }
      const source = q.str('source')
      const sourceKind: QuestionTable['source_kind'] = lessons.has(source) ? 'lesson' : entries.has(source) ? 'entry' : q.fail('source', `source "${source}" is neither a lesson nor a pocket-book entry id`)
      const row = {
        id,
        bank_id: bankId,
        type,
        stem,
        options: JSON.stringify(options),
        answer: JSON.stringify(answer),
        explanation: q.str('explanation'),
        source_kind: sourceKind,
        source_id: source,
        tags: JSON.stringify(q.strList('tags')),
        exam_only: exam ? 1 : 0,
      }
      // Practice rows hash as before the flag existed, so adding it re-sends nothing to phones.
      const { exam_only: _, ...practice } = row
      const parsed = { ...row, content_hash: hashOf(exam ? row : practice) }
      questions.push(parsed)
      byId.set(id, { ...parsed, file })
      ids.push(id)
    }
    banks.set(bankId, ids)
  }

  const quizzes: ParsedQuiz[] = []
  const quizIds = new Set<string>()
  const quizDir = join(root, 'quizzes')
  for (const name of yamlFiles(quizDir)) {
    const file = rel(join(quizDir, name))
    const { doc, obj } = load(join(quizDir, name), file)
    const z = obj(doc.contents)
    const id = z.str('id', ID)
    if (quizIds.has(id)) z.fail('id', `quiz id "${id}" is already used`)
    quizIds.add(id)
    const sel = obj(z.node('questions') ?? doc.contents)
    let selection: QuizSelection
    let candidates: string[]
    if (sel.node('fixed') !== undefined) {
      const fixed = sel.strList('fixed', true)
      if (fixed.length === 0) sel.fail('fixed', '"fixed" must list at least one question')
      const unknown = fixed.find((q) => !byId.has(q))
      if (unknown) sel.fail('fixed', `question "${unknown}" is not in any bank`)
      if (new Set(fixed).size !== fixed.length) sel.fail('fixed', 'a question is listed twice')
      selection = { fixed }
      candidates = fixed
    } else if (sel.node('draw') !== undefined) {
      const draw = obj(sel.node('draw'))
      const bank = draw.str('bank')
      const count = draw.js('count')
      const tags = draw.strList('tags')
      if (!banks.has(bank)) draw.fail('bank', `bank "${bank}" does not exist`)
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) draw.fail('count', '"count" must be a whole number ≥ 1')
      candidates = banks.get(bank)!.filter((q) => tags.length === 0 || JSON.parse(byId.get(q)!.tags).some((t: string) => tags.includes(t)))
      if (candidates.length < (count as number)) {
        draw.fail('count', `bank "${bank}" has ${candidates.length} questions${tags.length ? ` tagged ${tags.join('/')}` : ''}, fewer than count ${count as number}`)
      }
      selection = { draw: { bank, count: count as number, tags } }
    } else {
      z.fail('questions', '"questions" must have "fixed: [ids]" or "draw: {bank, count}"')
    }
    const limit = z.js('timeLimitMinutes')
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) z.fail('timeLimitMinutes', '"timeLimitMinutes" must be a whole number ≥ 1')
    const passMark = z.js('passMark')
    if (typeof passMark !== 'number' || !Number.isInteger(passMark) || passMark < 0 || passMark > 100) z.fail('passMark', '"passMark" must be a percentage 0–100')
    const shuffle = z.js('shuffleOptions') ?? false
    if (typeof shuffle !== 'boolean') z.fail('shuffleOptions', '"shuffleOptions" must be true or false')
    const picked = candidates!.map((q) => byId.get(q)!)
    const examOnly = picked.every((q) => q.exam_only === 1)
    // A quiz mixing both would put exam questions on phones as practice, answers and all.
    if (!examOnly && picked.some((q) => q.exam_only === 1)) z.fail('questions', 'a quiz takes either only exam-bank questions or none')
    const row = {
      id,
      title: z.str('title'),
      description: z.str('description'),
      selection: JSON.stringify(selection!),
      time_limit_minutes: (limit as number | undefined) ?? null,
      pass_mark: passMark as number,
      shuffle_options: shuffle ? 1 : 0,
      exam_only: examOnly ? 1 : 0,
    }
    // The hash covers the questions too: editing a question gives its quizzes a new version (and snapshot).
    quizzes.push({
      ...row,
      content_hash: hashOf([examOnly ? row : { ...row, exam_only: undefined }, picked.map((q) => q.content_hash)]),
      candidates: picked.map((q) => ({ id: q.id, type: q.type, options: JSON.parse(q.options), answer: JSON.parse(q.answer) })),
    })
  }
  return { questions, quizzes }
}
