/**
 * What an approval would change, against the published version: per field, and per lesson
 * (matched by id, so a moved lesson is "changed: order", not removed and added).
 */
import type { Draft, FieldChange, LessonChange, LessonDraft, StudioDiff } from '../../../src/protocol/studio.ts'

const show = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v))

function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>, skip: string[]): FieldChange[] {
  const keys = Object.keys(after).filter((k) => !skip.includes(k))
  return keys.filter((k) => show(before[k]) !== show(after[k])).map((k) => ({ field: k, before: show(before[k]), after: show(after[k]) }))
}

function lessonChanges(before: LessonDraft[], after: LessonDraft[]): LessonChange[] {
  const old = new Map(before.map((l, i) => [l.id, { ...l, order: i + 1 }]))
  const out: LessonChange[] = []
  after.forEach((l, i) => {
    const now = { ...l, order: i + 1 }
    const was = l.id ? old.get(l.id) : undefined
    if (!was) {
      out.push({ id: l.id ?? '', title: l.title, change: 'added', fields: fieldChanges({}, now, ['id']) })
      return
    }
    old.delete(l.id)
    const fields = fieldChanges(was, now, ['id'])
    if (fields.length) out.push({ id: l.id!, title: l.title, change: 'changed', fields })
  })
  for (const l of old.values()) out.push({ id: l.id!, title: l.title, change: 'removed', fields: [] })
  return out
}

/** `published` null: nothing is on phones yet, so every filled field is an addition. */
export function diffDraft(published: { number: number; body: Draft } | null, draft: Draft): StudioDiff {
  const before = (published?.body ?? {}) as Record<string, unknown>
  const { lessons: _l, ...after } = draft as Record<string, unknown>
  return {
    againstVersion: published?.number ?? null,
    fields: fieldChanges(before, after, ['type']),
    lessons: draft.type === 'course' ? lessonChanges(published?.body.type === 'course' ? published.body.lessons : [], draft.lessons) : [],
  }
}
