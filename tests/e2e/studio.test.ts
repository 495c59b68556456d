/**
 * 课件工作室 end to end: the district's course editor writes a course on a desktop browser (the
 * preview drops script, iframe and javascript: links exactly as the phone's reader does) and
 * submits it; the district admin, a second person, sees the diff and approves; a member's phone
 * pulls, downloads the course for offline (离线下载: media is fetched per course on request), loses
 * the network (the service worker's fetches too), and opens the new lesson with its uploaded image.
 * A second course is a 视频课: the editor uploads a 2 s H.264 clip made with ffmpeg at test time
 * (tus), waits for processing, and the member's phone shows it as a video lesson with its notes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { makeTestVideo } from '../support/ffmpegVideo.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, newPhone, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const EDITOR = '13800000007'
const ADMIN = '13800000006'
const TITLE = '桃园村合作社怎样办起来'
const LESSON = '三户人家先试种'
const BODY = `## ${LESSON}\n\n合作社从三户人家开始，账目每月公开。\n\n<script>window.hacked = 1</script><iframe src="https://example.com"></iframe>\n\n[点我](javascript:alert(1))`

const session = usePhone()

async function expectAccessible(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[class*="-enter-active"]'))
  expect(await axeViolations(page)).toEqual([])
}

async function openStudio(page: Page, phone: string): Promise<void> {
  await signIn(page, phone)
  await page.goto('/me')
  await page.getByTestId('me-manage').click()
  await page.getByTestId('manage-studio').click()
}

describe('course studio 课件工作室', () => {
  let desk: BrowserContext

  it('publishes a lesson written by the editor and approved by a second person to a member’s phone, offline', async () => {
    desk = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(15_000)
    const editor = await desk.newPage()
    await openStudio(editor, EDITOR)
    await editor.getByTestId('studio-new').click()
    await editor.getByTestId('studio-title').fill(TITLE)
    await editor.getByTestId('studio-description').fill('致富带头人讲合作社。')
    await editor.getByTestId('studio-lesson-title').fill(LESSON)
    await editor.getByTestId('studio-lesson-body').fill(BODY)
    // A small PNG made here, uploaded through the lesson's image button into the text.
    const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer()
    const upload = editor.locator('.studio-lesson').getByTestId('media-upload-image')
    await upload.getByTestId('media-upload-input').setInputFiles({ name: '合作社.png', mimeType: 'image/png', buffer: png })
    await upload.getByTestId('media-upload-done').waitFor({ timeout: 30_000 })
    expect(await editor.getByTestId('studio-lesson-body').inputValue()).toMatch(/!\[合作社\.png\]\(\/media\/u\/[^)]+\.png\?v=[0-9a-f]+\)/)
    await expect.poll(() => editor.getByTestId('studio-preview').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    const preview = editor.getByTestId('studio-preview')
    await preview.getByText('合作社从三户人家开始').waitFor()
    expect(await preview.locator('script, iframe').count()).toBe(0)
    expect(await preview.locator('a[href^="javascript"]').count()).toBe(0)
    expect(await editor.evaluate(() => (window as { hacked?: number }).hacked)).toBeUndefined()
    await editor.getByTestId('studio-save').click()
    // Vant's toast is an unnamed dialog to axe (app-wide); check the screen once it has gone.
    await editor.getByText('已保存').waitFor()
    await editor.getByText('已保存').waitFor({ state: 'hidden' })
    await expectAccessible(editor)
    await screenshot(editor, 'studio-editor-desktop')
    await editor.getByTestId('studio-submit').click()
    await expect.poll(() => editor.getByTestId('studio-status').textContent(), { timeout: 15_000 }).toContain('待审核')
    // Its own editor is not offered the review.
    expect(await editor.getByTestId('studio-review').count()).toBe(0)

    const reviewerContext = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    const reviewer = await reviewerContext.newPage()
    await openStudio(reviewer, ADMIN)
    await reviewer.getByTestId('studio-list-item').filter({ hasText: TITLE }).click()
    const review = reviewer.getByTestId('studio-review')
    await review.getByText('第一次发布').waitFor()
    expect(await review.getByTestId('studio-review-lesson').textContent()).toContain(`新增 ${LESSON}`)
    await expectAccessible(reviewer)
    await reviewer.getByTestId('studio-approve').click()
    await expect.poll(() => reviewer.getByTestId('studio-status').textContent(), { timeout: 15_000 }).toContain('已发布')
    await reviewer.getByTestId('studio-versions').getByText('第 1 版').waitFor()
    await reviewerContext.close()

    const member = session.page
    await signIn(member, PHONES.member)
    await waitForServiceWorker(member)
    await member.getByTestId('tab-study').click()
    const card = member.locator('[data-testid^="course-s-"]').filter({ hasText: TITLE })
    await card.first().click()
    const lessonLink = member.locator('[data-testid^="lesson-s-"]').first()
    await lessonLink.waitFor()
    await member.getByTestId('download-start').click()
    await member.locator('.van-dialog__confirm').click()
    await member.getByTestId('download-done').waitFor({ timeout: 30_000 })
    await goOffline(session.context)
    await lessonLink.click()
    await expect.poll(() => member.getByTestId('lesson-title').textContent(), { timeout: 15_000 }).toContain(LESSON)
    await member.getByText('合作社从三户人家开始').waitFor()
    expect(await member.locator('[data-testid="lesson"] article').locator('script, iframe, a[href^="javascript"]').count()).toBe(0)
    const image = member.locator('[data-testid="lesson"] article img')
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 15_000 }).toBe(true)
    await screenshot(member, 'studio-lesson-on-phone-offline')
    // Three people, an upload and a course download: more than the file default of 120 s on a shared machine.
  }, 240_000)

  it('publishes a video lesson the editor uploaded: processed, approved, shown on the phone with its notes', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'pps-studio-video-'))
    const clip = join(scratch, '灭火器演示.mp4')
    makeTestVideo(clip, { seconds: 2, width: 640, height: 480 })
    // A desk of its own: the first test's desk is already signed in.
    const videoDesk = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    videoDesk.setDefaultTimeout(15_000)
    const editor = await videoDesk.newPage()
    await openStudio(editor, EDITOR)
    await editor.getByTestId('studio-new').click()
    await editor.getByTestId('studio-title').fill('灭火器怎么用')
    await editor.getByTestId('studio-description').fill('村里的消防员演示灭火器。')
    await editor.getByTestId('studio-lesson-title').fill('灭火器演示')
    await editor.getByTestId('studio-lesson-video').check()
    expect(await editor.getByTestId('video-upload-limits').textContent()).toMatch(/MP4.*H\.264\/AAC.*4(\.0)? GB.*3小时/)
    await editor.getByTestId('video-upload-file').setInputFiles(clip)
    await editor.getByTestId('video-processing').waitFor()
    // Processing (poster, 360p data-saver) runs on the server's worker after the upload.
    await editor.getByTestId('video-processing-done').waitFor({ timeout: 60_000 })
    await editor.getByTestId('studio-lesson-body').fill('看完想一想：家里的灭火器放在哪里？')
    await editor.getByTestId('studio-save').click()
    await editor.getByText('已保存').waitFor()
    await editor.getByText('已保存').waitFor({ state: 'hidden' })
    await expectAccessible(editor)
    await screenshot(editor, 'studio-video-lesson-desktop')
    await editor.getByTestId('studio-submit').click()
    await expect.poll(() => editor.getByTestId('studio-status').textContent(), { timeout: 15_000 }).toContain('待审核')
    rmSync(scratch, { recursive: true, force: true })
    await videoDesk.close()

    const reviewerContext = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    const reviewer = await reviewerContext.newPage()
    await openStudio(reviewer, ADMIN)
    await reviewer.getByTestId('studio-list-item').filter({ hasText: '灭火器怎么用' }).click()
    await reviewer.getByTestId('studio-approve').click()
    await expect.poll(() => reviewer.getByTestId('studio-status').textContent(), { timeout: 15_000 }).toContain('已发布')
    await reviewerContext.close()

    const phone = await newPhone(session.browser, session.server.url)
    const member = await phone.newPage()
    await signIn(member, PHONES.member)
    await member.getByTestId('tab-study').click()
    await member.locator('[data-testid^="course-s-"]').filter({ hasText: '灭火器怎么用' }).first().click()
    await member.locator('[data-testid^="lesson-s-"]').first().click()
    await expect.poll(() => member.getByTestId('video-rendition-saver').textContent(), { timeout: 15_000 }).toMatch(/省流（360p）/)
    expect(await member.locator('video').count()).toBe(1)
    await member.getByText('家里的灭火器放在哪里').waitFor()
    await screenshot(member, 'studio-video-lesson-on-phone')
    await phone.close()
  }, 240_000)

  it('fits a 360×640 phone, in normal and elder mode', async () => {
    const small = await newPhone(session.browser, session.server.url)
    const page = await small.newPage()
    await openStudio(page, EDITOR)
    for (const elder of [false, true]) {
      const suffix = elder ? '-elder' : ''
      await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), elder)
      await page.goto('/studio')
      await page.getByTestId('studio-list-item').first().waitFor()
      await expectAccessible(page)
      await screenshot(page, `studio-list${suffix}`)
      await page.getByTestId('studio-list-item').first().click()
      await page.getByTestId('studio-preview').waitFor()
      await expectAccessible(page)
      await screenshot(page, `studio-item${suffix}`, { andBottom: true })
    }
    await small.close()
    await desk?.close()
  })
})
