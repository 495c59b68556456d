/**
 * The training archive on screen: one person's year, read from the server (leaders' and members'
 * archives are not cached on the phone; offline the page says so and offers to retry).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ArchiveSection, ArchiveSummary } from '@/protocol/archive.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { errorMessageKey } from '@/shared/http.ts'
import { archiveApi, type PageOf, type SectionRows } from './archive.api.ts'
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
  /** i18n key of the last failure, if any */
  const error = ref<string>()

  /** Loads the summary and the first page of every section; a failure leaves `error` set. */
  async function open(id: string, forYear: number): Promise<void> {
    personId.value = id
    year.value = forYear
    loading.value = true
    error.value = undefined
    try {
      const [s, ...pages] = await Promise.all([archiveApi.summary(id, forYear), ...ARCHIVE_SECTIONS.map((name) => archiveApi.section(id, name, forYear))])
      summary.value = s
      sections.value = Object.fromEntries(ARCHIVE_SECTIONS.map((name, i) => [name, pages[i]])) as Sections
    } catch (err) {
      summary.value = undefined
      sections.value = empty()
      error.value = errorMessageKey(err)
    } finally {
      loading.value = false
    }
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

  return { personId, year, summary, sections, loading, error, open, more, loadAll, exportCsv }
})
