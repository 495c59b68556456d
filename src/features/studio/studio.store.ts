import { defineStore } from 'pinia'
import { ref, toRaw } from 'vue'
import type { Lecturer } from '@/protocol/admin.ts'
import type { PocketCategory } from '@/protocol/content.ts'
import type { Draft, StudioDiff, StudioItem, StudioItemSummary, StudioKind, StudioVersion } from '@/protocol/studio.ts'
import { HttpError } from '@/shared/http.ts'
import { pocketDb } from '@/features/pocket/pocket.db.ts'
import { studioApi } from './studio.api.ts'

/** A save refused because someone saved first: what this person wrote, and what is saved now. */
export interface SaveConflict {
  mine: Draft
  theirs: StudioItem
}

export const emptyDraft = (kind: StudioKind): Draft =>
  kind === 'course'
    ? { type: 'course', title: '', kind: 'specialty', category: 'rural-revitalisation', description: '', cover: null, lecturerId: null, lessons: [{ title: '', minutes: 10, body: '', audio: null }] }
    : { type: 'pocket_entry', title: '', category: '', tags: [], body: '' }

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
    const [v, l, c] = await Promise.all([
      studioApi.versions(id),
      it.kind === 'course' ? studioApi.lecturers(it.orgUnitId) : undefined,
      it.kind === 'pocket_entry' ? pocketDb.categories() : undefined,
    ])
    versions.value = v.items
    lecturers.value = l?.items ?? []
    pocketCategories.value = c ?? []
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
