/**
 * A member's first download of study content on a slow link: home says how far it is
 * ("正在下载学习内容 40%"), the assigned course comes first and can be read while the rest is
 * still on its way (here the link dies after it), and the progress gives way to the offline
 * readiness once everything is in.
 */
import { describe, expect, it } from 'vitest'
import { PHONES, signIn, usePhone } from './support/browser.ts'
import { queryServerDb as query } from './support/serverDb.ts'

const phone = usePhone()
/** Small pages, each answered late: a first download that takes many round trips. */
const PAGE_ROWS = 25
const LATENCY_MS = 700

/** Whether the phone's Dexie holds the lesson (read straight from IndexedDB). */
const hasLesson = (id: string) => `new Promise((resolve) => {
  const open = indexedDB.open('pocket-party-school')
  open.onsuccess = () => {
    const get = open.result.transaction('lessons').objectStore('lessons').get(${JSON.stringify(id)})
    get.onsuccess = () => resolve(get.result !== undefined)
  }
})`

describe('first download of study content', () => {
  it('shows its progress, and the assigned course is readable before the rest has arrived', async () => {
    const { context, page, server } = phone
    const [assigned] = query<{ lesson: string; title: string }>(
      server.dbFile,
      `select l.id as lesson, l.title from assignment a join lesson l on l.course_id = a.course_id
       where a.deleted_at is null and a.member_group is null and a.target = 'unit' and l.deleted_at is null order by l.sort_order limit 1`,
    )
    expect(assigned, 'the demo assigns a course to everyone').toBeDefined()
    let linkDown = false
    let pages = 0
    await context.route('**/api/v1/sync/pull**', async (route) => {
      if (linkDown) return route.abort('connectionreset')
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS))
      pages++
      const url = new URL(route.request().url())
      url.searchParams.set('limit', String(PAGE_ROWS))
      return route.continue({ url: url.toString() })
    })

    await signIn(page, PHONES.member)
    const progress = page.getByTestId('study-download')
    await expect.poll(() => progress.innerText(), { timeout: 20_000 }).toMatch(/^正在下载学习内容 \d+%$/)
    // The assigned lesson comes with the first pages; then the link goes down mid-download.
    await expect.poll(() => page.evaluate(hasLesson(assigned!.lesson)), { timeout: 20_000 }).toBe(true)
    linkDown = true
    const percent = Number(/(\d+)%/.exec(await progress.innerText())![1])
    console.log(`first download: assigned lesson stored after ${pages} pages of ${PAGE_ROWS} rows, home showing ${percent}%`)
    expect(percent).toBeLessThan(100)

    await page.goto(`/study/lesson/${assigned!.lesson}`)
    await expect.poll(() => page.getByTestId('lesson-title').innerText()).toBe(assigned!.title)

    // The link comes back: the download finishes and home says the phone is (getting) ready offline.
    linkDown = false
    await page.goto('/')
    await page.getByTestId('offline-readiness').waitFor({ timeout: 60_000 })
    expect(await progress.count()).toBe(0)
    console.log(`first download finished after ${pages} pages`)
  })
})
