/**
 * A course assigned to a whole branch, end to end: the branch secretary (desktop) assigns a short
 * course to 桃园村党支部 with a due date; a member's phone pulls it and lists it first on the study
 * tab, downloads it, then with no network at all (through a reload) completes every lesson. Back
 * online the phone uploads; the server holds each completion once, and the secretary's 统计报表
 * counts the member: the branch's and the party group's completion rise from 0%, and the member's
 * row reads 1 of the assigned courses done.
 */
import { describe, expect, it } from 'vitest'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'
import { percent } from '../../src/features/reports/reports.format.ts'
import { axeViolations } from './support/axe.ts'
import { dateInputInDays as inDays, queryServerDb as query } from './support/serverDb.ts'
import { goOffline, goOnline, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const SECRETARY = '13800000004'
const BRANCH = '桃园村党支部'
// Four short lessons and only a cover to download; not one of the demo's district-wide courses.
const COURSE = 'law-in-daily-life'

const phone = usePhone(PHONES.member)
const content = parseContent(CONTENT_DIR)
const course = content.courses.find((c) => c.id === COURSE)!
const lessons = content.lessons.filter((l) => l.course_id === COURSE).sort((a, b) => a.sort_order - b.sort_order)

/** Active members placed in the unit or anywhere below it. */
const membersUnder = (dbFile: string, unitId: string) =>
  query<{ n: number }>(
    dbFile,
    `select count(*) as n from person p join org_unit o on o.id = p.org_unit_id, org_unit u
     where u.id = ? and o.path >= u.path and o.path < u.path || '~' and p.status = 'active'`,
    unitId,
  )[0]!.n

/** Screens update after a fetch or an IndexedDB write; on a busy two-core machine that can take seconds. */
const WAIT = { timeout: 15_000 }


describe('course assignment', () => {
  it('secretary assigns a course to the branch; a member completes it offline; the reports count the member', async () => {
    const { page, context, server, browser } = phone
    await waitForServiceWorker(page)
    const [member] = query<{ id: string; name: string; org_unit_id: string }>(server.dbFile, 'select id, name, org_unit_id from person where phone = ?', PHONES.member)
    const [branch] = query<{ id: string }>(server.dbFile, 'select id from org_unit where name = ?', BRANCH)

    // The member's app is open on 我的 (it pulled when it started).
    await page.goto('/me')
    await page.getByTestId('sync-now').waitFor()

    // The secretary, at a desk: 管理 → 学习任务, a course for everyone in the branch.
    const desk = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(20_000)
    const sec = await desk.newPage()
    await signIn(sec, SECRETARY)
    await sec.goto('/manage')
    await sec.getByTestId('manage-assignments').click()
    await sec.getByTestId('assignment-form').waitFor()
    await sec.getByTestId('kind-course').click()
    await sec.getByTestId('pick-content').click()
    // The desk's first pull may still be filling the list: pick once every course is there.
    await expect.poll(() => sec.locator('.van-action-sheet__item').count(), { timeout: 30_000 }).toBe(content.courses.length)
    await sec.locator('.van-action-sheet__item', { hasText: course.title }).click()
    await expect.poll(() => sec.getByTestId('pick-content').innerText(), WAIT).toContain(course.title)
    await sec.getByTestId('pick-unit').click()
    await sec.locator('.van-action-sheet__item', { hasText: BRANCH }).click()
    await expect.poll(() => sec.getByTestId('pick-unit').innerText(), WAIT).toContain(BRANCH)
    await sec.getByTestId('who-all').click()
    await sec.getByTestId('due-date').locator('input').fill(inDays(3))
    await sec.getByTestId('assign-submit').click()
    await sec.getByTestId('assignment-list').getByText(course.title).first().waitFor()
    const [assignment] = query<{ org_unit_id: string; due_at: number; member_group: string | null }>(
      server.dbFile,
      'select org_unit_id, due_at, member_group from assignment where course_id = ? and created_by is not null',
      COURSE,
    )
    expect(assignment).toMatchObject({ org_unit_id: branch!.id, member_group: null })

    // Nobody has completed it yet: the branch's completion starts at 0%.
    await sec.goto('/manage')
    await sec.getByTestId('manage-reports').click()
    await expect.poll(() => sec.getByTestId('report-unit').innerText(), WAIT).toBe(BRANCH)
    await expect.poll(() => sec.getByTestId('figure-completion').innerText(), WAIT).toBe('0%')

    // The member, whose app was open before the assignment existed, taps 立即同步 on 我的: it
    // fetches too, so the course is first on the study tab (soonest due), with its due date.
    await page.getByTestId('sync-now').click()
    await page.locator('.van-tabbar-item', { hasText: '学习' }).click()
    const card = page.getByTestId(`course-${COURSE}`)
    const firstCard = page.locator('a.course-card').first()
    await expect.poll(() => firstCard.getAttribute('data-testid'), { timeout: 30_000 }).toBe(`course-${COURSE}`)
    const dueText = await page.evaluate((ms) => new Intl.DateTimeFormat('zh-CN', { month: 'numeric', day: 'numeric' }).format(ms), assignment!.due_at)
    expect(await card.first().innerText()).toContain(`${dueText} 前完成`)
    expect(await card.first().innerText()).toContain(`已学 0/${lessons.length}`)
    await screenshot(page, 'assignment-course-member-study')

    // Download it, then lose the network and reload: the course is still there.
    await card.first().click()
    await page.getByTestId('download-start').click()
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('download-done').waitFor({ timeout: 30_000 })
    await goOffline(context)
    await page.reload()
    await page.getByTestId('download-done').waitFor()
    const cover = page.locator('img.course-head__cover')
    await expect.poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), WAIT).toBe(true)

    // Every lesson, offline, the way a member does it: open, read, 标记为已学完, next.
    await page.getByTestId('course-start').click()
    for (const [i, lesson] of lessons.entries()) {
      await expect.poll(() => page.getByTestId('lesson-title').innerText(), WAIT).toBe(lesson.title)
      const done = page.getByTestId('lesson-complete')
      await done.click()
      await expect.poll(() => done.innerText(), WAIT).toBe('已学完')
      expect(await done.isDisabled()).toBe(true)
      if (i < lessons.length - 1) await page.getByTestId('lesson-next').click()
    }
    await page.locator('.van-nav-bar__left').click()
    await page.getByText(`已学 ${lessons.length}/${lessons.length}`).waitFor()
    expect(await page.locator('.lesson-done').count()).toBe(lessons.length)
    await page.goto('/study')
    await expect.poll(() => card.first().innerText(), WAIT).toContain('已学完')
    await screenshot(page, 'assignment-course-member-done-offline')

    // Still offline: the records wait on the phone, and the server has none of them.
    await page.getByTestId('tab-me').click()
    const pending = page.getByTestId('sync-pending')
    await expect.poll(async () => Number(await pending.getAttribute('data-count')), WAIT).toBeGreaterThanOrEqual(lessons.length)
    expect(await pending.innerText()).toMatch(/待上传 \d+ 条/)
    const completedOnServer = () =>
      query<{ lesson_id: string; n: number }>(
        server.dbFile,
        "select lesson_id, count(*) as n from study_event where person_id = ? and course_id = ? and kind = 'completed' group by lesson_id order by lesson_id",
        member!.id,
        COURSE,
      )
    expect(completedOnServer()).toEqual([])

    // Back online, 立即同步: everything goes up, and the server holds each completion once.
    await goOnline(context)
    await page.getByTestId('sync-now').click()
    await expect.poll(() => pending.innerText(), { timeout: 60_000 }).toBe('已全部上传')
    expect(completedOnServer()).toEqual(lessons.map((l) => ({ lesson_id: l.id, n: 1 })).sort((a, b) => a.lesson_id.localeCompare(b.lesson_id)))

    // The secretary's report now counts the member: branch, then the member's party group.
    // Every course assignment reaches this branch (the demo's district-wide ones and ours).
    const assignedCourses = query<{ n: number }>(server.dbFile, 'select count(distinct course_id) as n from assignment where course_id is not null and deleted_at is null')[0]!.n
    const branchRate = percent(1, membersUnder(server.dbFile, branch!.id) * assignedCourses)
    const groupRate = percent(1, membersUnder(server.dbFile, member!.org_unit_id) * assignedCourses)
    expect(branchRate).not.toBe('0%')
    await sec.reload()
    await expect.poll(() => sec.getByTestId('figure-completion').innerText(), WAIT).toBe(branchRate)
    const groupRow = sec.getByTestId('report-children').locator('tr', { has: sec.getByTestId(`drill-${member!.org_unit_id}`) })
    await expect.poll(() => groupRow.locator('td').first().innerText(), WAIT).toBe(groupRate)
    await screenshot(sec, 'assignment-course-reports-branch-desktop')
    expect(await axeViolations(sec)).toEqual([])

    await sec.getByTestId(`drill-${member!.org_unit_id}`).click()
    await expect.poll(() => sec.getByTestId('report-unit').innerText(), WAIT).toBe('第一党小组')
    await expect.poll(() => sec.getByTestId('report-trail').innerText(), WAIT).toContain(BRANCH)
    await expect.poll(() => sec.getByTestId('figure-completion').innerText(), WAIT).toBe(groupRate)
    const row = sec.getByTestId(`member-${member!.id}`)
    await expect.poll(() => row.getByTestId('member-courses').innerText(), WAIT).toBe(`课程 1/${assignedCourses}`)
    expect(await row.innerText()).toContain(member!.name)
    // Nobody else in the group has finished anything.
    const others = await sec.getByTestId('member-courses').allInnerTexts()
    expect(others.filter((t) => t !== `课程 0/${assignedCourses}`)).toEqual([`课程 1/${assignedCourses}`])
    await screenshot(sec, 'assignment-course-reports-group-desktop')
    expect(await axeViolations(sec)).toEqual([])

    // The same report on a phone-sized screen, normal and elder mode.
    await sec.setViewportSize({ width: 360, height: 640 })
    await sec.reload()
    await expect.poll(() => sec.getByTestId('figure-completion').innerText(), WAIT).toBe(groupRate)
    await screenshot(sec, 'assignment-course-reports-group-phone', { andBottom: true })
    expect(await axeViolations(sec)).toEqual([])
    await sec.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await sec.reload()
    await expect.poll(() => sec.evaluate(() => document.documentElement.classList.contains('elder-mode')), WAIT).toBe(true)
    await expect.poll(() => sec.getByTestId('figure-completion').innerText(), WAIT).toBe(groupRate)
    await screenshot(sec, 'assignment-course-reports-group-elder', { andBottom: true })
    expect(await axeViolations(sec)).toEqual([])
    await desk.close()
  }, 300_000)
})
