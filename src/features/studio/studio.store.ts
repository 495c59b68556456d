import { defineStore } from 'pinia'
import { ref, toRaw } from 'vue'
import type { Lecturer } from '@/protocol/admin.ts'
import type { PocketCategory } from '@/protocol/content.ts'
import type { CourseCategory, Draft, StudioDiff, StudioItem, StudioItemSummary, StudioKind, StudioVersion } from '@/protocol/studio.ts'
import { HttpError } from '@/shared/http.ts'
import { pocketDb } from '@/features/pocket/pocket.db.ts'
import { studioApi } from './studio.api.ts'

/** A save refused because someone saved first: what this person wrote, and what is saved now. */
export interface SaveConflict {
  mine: Draft
  theirs: StudioItem
}

const EMPTY: { [K in StudioKind]: () => Extract<Draft, { type: K }> } = {
  course: () => ({ type: 'course', title: '', kind: 'specialty', category: 'rural-revitalisation', description: '', cover: null, lecturerId: null, lessons: [{ title: '', minutes: 10, body: '', audio: null }] }),
  pocket_entry: () => ({ type: 'pocket_entry', title: '', category: '', tags: [], body: '' }),
  question_bank: () => ({ type: 'question_bank', title: '', exam: false, questions: [{ type: 'single', stem: '', options: ['', ''], answer: [], explanation: '', source: '', tags: [] }] }),
  quiz: () => ({ type: 'quiz', title: '', description: '', questions: { fixed: [] }, timeLimitMinutes: null, passMark: 60, shuffleOptions: false }),
}
export const emptyDraft = (kind: StudioKind): Draft => EMPTY[kind]()

/** The studio's screens: one unit's list, and one item being edited or reviewed (online only). */
export const useStudioStore = defineStore('studio', () => {
  const list = ref<StudioItemSummary[]>([])
  const next = ref<string | null>(null)
  const item = ref<StudioItem>()
  /** The form's working copy of the draft; saved explicitly. */
  const draft = ref<Draft>()
  const conflict = ref<SaveConflict>()
  const diff = ref<StudioDiff>()
  const versions = ref<StudioVersion[]>([])
  const lecturers = ref<Lecturer[]>([])
  const pocketCategories = ref<PocketCategory[]>([])
  /** The unit's own specialty categories (and those of the units above it). */
  const courseCategories = ref<CourseCategory[]>([])

  async function loadList(orgUnitId: string, kind: StudioKind, more = false): Promise<void> {
    const page = await studioApi.list(orgUnitId, kind, more ? next.value : null)
    list.value = more ? [...list.value, ...page.items] : page.items
    next.value = page.next
  }

  async function create(orgUnitId: string, kind: StudioKind): Promise<string> {
    return (await studioApi.create(orgUnitId, emptyDraft(kind))).id
  }

  function show(next: StudioItem): void {
    item.value = next
    draft.value = structuredClone(next.draft)
  }

  async function open(id: string): Promise<void> {
    conflict.value = undefined
    diff.value = undefined
    show(await studioApi.get(id))
    const it = item.value!
    const [v, l, c, s] = await Promise.all([
      studioApi.versions(id),
      it.kind === 'course' ? studioApi.lecturers(it.orgUnitId) : undefined,
      it.kind === 'pocket_entry' ? pocketDb.categories() : undefined,
      it.kind === 'course' ? studioApi.categories(it.orgUnitId) : undefined,
    ])
    versions.value = v.items
    lecturers.value = l?.items ?? []
    pocketCategories.value = c ?? []
    courseCategories.value = s?.items ?? []
    if (it.canReview) diff.value = await studioApi.diff(id)
  }

  /**
   * Saves the working copy on the revision it started from. When someone saved in between, the
   * server refuses (409) and both versions are kept for the editor to compare: nothing is overwritten.
   */
  async function save(): Promise<boolean> {
    const it = item.value!
    const mine = structuredClone(toRaw(draft.value!))
    try {
      show(await studioApi.save(it.id, it.revision, mine))
      conflict.value = undefined
      return true
    } catch (err) {
      if (err instanceof HttpError && err.code === 'STALE_REVISION') {
        conflict.value = err.body as SaveConflict
        return false
      }
      throw err
    }
  }

  /** Keeps the other person's saved version, or puts this person's on top of it (a new save, on purpose). */
  function resolveConflict(keep: 'theirs' | 'mine'): void {
    const c = conflict.value!
    item.value = c.theirs
    draft.value = structuredClone(keep === 'mine' ? c.mine : c.theirs.draft)
    conflict.value = undefined
  }

  /** 新建特色课分类 for the open course's unit; the course picks it at once. */
  async function addCategory(title: string): Promise<void> {
    const made = await studioApi.addCategory(item.value!.orgUnitId, title)
    courseCategories.value = [...courseCategories.value, made]
    if (draft.value?.type === 'course') draft.value.category = made.id
  }

  async function act(call: (it: StudioItem) => Promise<StudioItem>): Promise<void> {
    show(await call(item.value!))
    await open(item.value!.id)
  }

  return {
    list,
    next,
    item,
    draft,
    conflict,
    diff,
    versions,
    lecturers,
    pocketCategories,
    courseCategories,
    addCategory,
    loadList,
    create,
    open,
    save,
    resolveConflict,
    submit: () => act((it) => studioApi.submit(it.id, it.revision)),
    approve: () => act((it) => studioApi.approve(it.id, it.revision)),
    reject: (reason: string) => act((it) => studioApi.reject(it.id, it.revision, reason)),
    rollback: (version: number) => act((it) => studioApi.rollback(it.id, version)),
    unpublish: () => act((it) => studioApi.unpublish(it.id)),
  }
})
