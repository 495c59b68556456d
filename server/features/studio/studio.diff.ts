/**
 * What an approval would change, against the published version: per field, and per lesson of a
 * course or question of a bank (matched by id, so a moved lesson is "changed: order", not removed
 * and added). Questions go in `lessons` too, titled by their stem: one list of parts, one screen.
 */
import type { Draft, FieldChange, LessonChange, StudioDiff } from '../../../src/protocol/studio.ts'

type Part = { id?: string; title?: string; stem?: string }
const partsOf = (d: Draft | undefined): Part[] => (d?.type === 'course' ? d.lessons : d?.type === 'question_bank' ? d.questions : [])
const titleOf = (p: Part) => p.title ?? p.stem ?? ''

const show = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v))

function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>, skip: string[]): FieldChange[] {
  const keys = Object.keys(after).filter((k) => !skip.includes(k))
  return keys.filter((k) => show(before[k]) !== show(after[k])).map((k) => ({ field: k, before: show(before[k]), after: show(after[k]) }))
}

function lessonChanges(before: Part[], after: Part[]): LessonChange[] {
  const old = new Map(before.map((l, i) => [l.id, { ...l, order: i + 1 }]))
  const out: LessonChange[] = []
  after.forEach((l, i) => {
    const now = { ...l, order: i + 1 }
    const was = l.id ? old.get(l.id) : undefined
    if (!was) {
      out.push({ id: l.id ?? '', title: titleOf(l), change: 'added', fields: fieldChanges({}, now, ['id']) })
      return
    }
    old.delete(l.id)
    const fields = fieldChanges(was, now, ['id'])
    if (fields.length) out.push({ id: l.id!, title: titleOf(l), change: 'changed', fields })
  })
  for (const l of old.values()) out.push({ id: l.id!, title: titleOf(l), change: 'removed', fields: [] })
  return out
}

/** `published` null: nothing is on phones yet, so every filled field is an addition. */
export function diffDraft(published: { number: number; body: Draft } | null, draft: Draft): StudioDiff {
  const before = (published?.body ?? {}) as Record<string, unknown>
  const { lessons: _l, questions, ...rest } = draft as Record<string, unknown>
  // A quiz's questions are a selection (fixed ids or a draw), shown as one field.
  const after = draft.type === 'quiz' ? { ...rest, questions: JSON.stringify(questions) } : rest
  const was = published?.body.type === 'quiz' ? { ...before, questions: JSON.stringify(published.body.questions) } : before
  return {
    againstVersion: published?.number ?? null,
    fields: fieldChanges(was, after, ['type']),
    lessons: lessonChanges(partsOf(published?.body), partsOf(draft)),
  }
}
