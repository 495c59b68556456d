/**
 * The training archive on screen: one person's year, read from the server. The member's OWN
 * archive is also kept on the phone per year (archive.db.ts) and shown from there at once, then
 * replaced by the server's answer; offline the copy stays with the time it was read. Leaders'
 * views of other people are not kept: offline the page says so and offers to retry.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ArchiveRow } from '@/db/db.ts'
import type { ArchiveSection, ArchiveSummary } from '@/protocol/archive.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { errorMessageKey } from '@/shared/http.ts'
import { archiveApi, type PageOf, type SectionRows } from './archive.api.ts'
import { archiveDb } from './archive.db.ts'
import { downloadExport } from './download.ts'

// Spelled out: protocol files reach the phone as types only.
const ARCHIVE_SECTIONS: ArchiveSection[] = ['lessons', 'quizzes', 'meetings', 'visits']
type Sections = { [S in ArchiveSection]: PageOf<SectionRows[S]> }
const empty = (): Sections => ({ lessons: { items: [], next: null }, quizzes: { items: [], next: null }, meetings: { items: [], next: null }, visits: { items: [], next: null } })

export const useArchiveStore = defineStore('archive', () => {
  const auth = useAuthStore()
  const personId = ref('')
  const year = ref(new Date().getFullYear())
  const summary = ref<ArchiveSummary>()
  const sections = ref<Sections>(empty())
  const loading = ref(false)
  /** i18n key of the last failure, if any (only when there is nothing to show) */
  const error = ref<string>()
  /** Set when the server could not answer and the phone's copy is on screen: when it was read (epoch ms). */
  const cachedAt = ref<number>()
  /** Counts calls to open(): an answer for a year or person no longer on screen is dropped. */
  let opened = 0

  /**
   * Loads the summary and the first page of every section. For the signed-in member's own archive
   * the phone's copy of that year shows at once and the server's answer replaces it (and the
   * copy); when the server cannot be reached the copy stays and `cachedAt` says how old it is.
   * A failure with no copy leaves `error` set.
   */
  async function open(id: string, forYear: number): Promise<void> {
    const ticket = ++opened
    const own = id === auth.profile?.id
    personId.value = id
    year.value = forYear
    error.value = undefined
    cachedAt.value = undefined
    const cached = own ? await archiveDb.get(id, forYear).catch(() => undefined) : undefined
    if (ticket !== opened) return
    summary.value = cached?.summary
    sections.value = cached?.sections ?? empty()
    loading.value = !cached
    let fresh: Omit<ArchiveRow, 'fetchedAt'>
    try {
      const [s, ...pages] = await Promise.all([archiveApi.summary(id, forYear), ...ARCHIVE_SECTIONS.map((name) => archiveApi.section(id, name, forYear))])
      fresh = { personId: id, year: forYear, summary: s, sections: Object.fromEntries(ARCHIVE_SECTIONS.map((name, i) => [name, pages[i]])) as Sections }
      // Stored before it shows, so what the member saw online opens offline too, even right after.
      // Not after a sign-out meanwhile (the next person's phone must not get it); and a full phone
      // must not turn a good answer into an error: the copy is only for offline.
      if (own && auth.profile?.id === id) await archiveDb.put({ ...fresh, fetchedAt: Date.now() }).catch(() => undefined)
    } catch (err) {
      if (ticket !== opened) return
      if (cached) cachedAt.value = cached.fetchedAt
      else error.value = errorMessageKey(err)
      return
    } finally {
      if (ticket === opened) loading.value = false
    }
    if (ticket !== opened) return
    summary.value = fresh.summary
    sections.value = fresh.sections
  }

  async function more(section: ArchiveSection): Promise<void> {
    const current = sections.value[section]
    if (!current.next) return
    const page = await archiveApi.section(personId.value, section, year.value, current.next)
    sections.value = { ...sections.value, [section]: { items: [...current.items, ...page.items], next: page.next } }
  }

  /** Every page of every section: printing shows the whole year, not the first page. */
  async function loadAll(): Promise<void> {
    for (const name of ARCHIVE_SECTIONS) while (sections.value[name].next) await more(name)
  }

  /** Downloads the year as CSV (the server writes the export to its audit log). */
  async function exportCsv(): Promise<void> {
    await downloadExport(archiveApi.csvPath(personId.value, year.value), auth.token, `archive-${year.value}.csv`)
  }

  return { personId, year, summary, sections, loading, error, cachedAt, open, more, loadAll, exportCsv }
})
