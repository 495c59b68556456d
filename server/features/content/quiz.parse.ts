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
import type { Scorable } from '../../../src/protocol/quiz.scoring.ts'
import { ContentError } from './content.parse.ts'
import { questionProblems, quizProblems } from './quiz.rules.ts'

type Parsed<T> = Omit<T, Exclude<keyof SyncedColumns, 'content_hash'>>
export type ParsedQuestion = Parsed<QuestionTable>
/** A quiz row and, for its snapshot, every question the quiz may ask (with answers). */
export type ParsedQuiz = Parsed<QuizTable> & { candidates: Scorable[] }
/** A bank has no row of its own (its questions name it); its title and flag, for studio packages. */
export interface ParsedBank {
  id: string
  title: string
  exam: boolean
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/

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
): { banks: ParsedBank[]; questions: ParsedQuestion[]; quizzes: ParsedQuiz[] } {
  const questions: ParsedQuestion[] = []
  const parsedBanks: ParsedBank[] = []
  const byId = new Map<string, ParsedQuestion & { file: string }>()
  const banks = new Map<string, string[]>()

  const bankDir = join(root, 'quizzes', 'banks')
  for (const name of yamlFiles(bankDir)) {
    const file = rel(join(bankDir, name))
    const { doc, obj } = load(join(bankDir, name), file)
    const bank = obj(doc.contents)
    const bankId = bank.str('id', ID)
    if (banks.has(bankId)) bank.fail('id', `bank id "${bankId}" is already used`)
    const title = bank.str('title')
    // An exam bank's questions never leave the server before an exam closes (migration 031).
    const exam = bank.js('exam') ?? false
    if (typeof exam !== 'boolean') bank.fail('exam', '"exam" must be true or false')
    parsedBanks.push({ id: bankId, title, exam: exam as boolean })
    const list = bank.node('questions')
    if (!isSeq(list) || list.items.length === 0) bank.fail('questions', '"questions" must be a non-empty list')
    const ids: string[] = []
    for (const item of (list as { items: unknown[] }).items) {
      const q = obj(item)
      const id = q.str('id', ID)
      const other = byId.get(id)
      if (other) q.fail('id', `question id "${id}" is already used in ${other.file}`)
      const { problems, checked } = questionProblems(
        { type: q.js('type'), stem: q.js('stem'), options: q.js('options') == null ? undefined : q.strList('options'), answer: q.js('answer'), explanation: q.js('explanation'), source: q.js('source') },
        (source) => (lessons.has(source) ? 'lesson' : entries.has(source) ? 'entry' : undefined),
      )
      if (!checked) q.fail(problems[0]!.field, problems[0]!.message)
      const { type, options, answer, sourceKind } = checked!
      const row = {
        id,
        bank_id: bankId,
        type,
        stem: q.str('stem'),
        options: JSON.stringify(options),
        answer: JSON.stringify(answer),
        explanation: q.str('explanation'),
        source_kind: sourceKind,
        source_id: q.str('source'),
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
    const drawNode = sel.node('draw')
    const draw = drawNode === undefined ? undefined : obj(drawNode)
    const { problems, checked } = quizProblems(
      {
        title: z.js('title'),
        description: z.js('description'),
        selection: {
          fixed: sel.node('fixed') !== undefined ? sel.strList('fixed', true) : undefined,
          draw: draw && { bank: draw.js('bank'), count: draw.js('count'), tags: draw.strList('tags') },
        },
        timeLimitMinutes: z.js('timeLimitMinutes'),
        passMark: z.js('passMark'),
        shuffleOptions: z.js('shuffleOptions') ?? false,
      },
      {
        question: (q) => {
          const row = byId.get(q)
          return row && { id: row.id, tags: JSON.parse(row.tags) as string[], examOnly: row.exam_only === 1, scorable: { id: row.id, type: row.type, options: JSON.parse(row.options), answer: JSON.parse(row.answer) } }
        },
        bank: (b) => banks.get(b),
      },
    )
    if (!checked) {
      const { field, message } = problems[0]!
      // Each problem points at the line of its own key: the quiz's, the selection's or the draw's.
      if (field.startsWith('questions.draw.')) draw!.fail(field.slice('questions.draw.'.length), message)
      else if (field === 'questions.fixed') sel.fail('fixed', message)
      z.fail(field, message)
    }
    const { selection, candidates, examOnly } = checked!
    const limit = z.js('timeLimitMinutes') as number | undefined
    const row = {
      id,
      title: z.str('title'),
      description: z.str('description'),
      selection: JSON.stringify(selection),
      time_limit_minutes: limit ?? null,
      pass_mark: z.js('passMark') as number,
      shuffle_options: z.js('shuffleOptions') === true ? 1 : 0,
      exam_only: examOnly ? 1 : 0,
    }
    // The hash covers the questions too: editing a question gives its quizzes a new version (and snapshot).
    quizzes.push({
      ...row,
      content_hash: hashOf([examOnly ? row : { ...row, exam_only: undefined }, candidates.map((q) => byId.get(q.id)!.content_hash)]),
      candidates: candidates.map((q) => q.scorable),
    })
  }
  return { banks: parsedBanks, questions, quizzes }
}
