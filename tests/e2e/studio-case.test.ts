/**
 * 好的进教材 end to end: a member's reflection, marked excellent by the group leader, is proposed
 * by the branch secretary from their phone (推荐为案例 on the excellent feed) as a case for a
 * district course. The member's phone reads the proposal, loses the network, and the member agrees
 * there (the answer waits in the outbox); back online it is sent, and the district's course editor
 * finds the case in the course draft as a new lesson, with the author's name and branch, and the
 * proposal as 已同意 in the studio's list of proposals.
 */
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '../../src/features/sync/uuidv7.ts'
import type { StudioItem } from '../../src/protocol/studio.ts'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, goOffline, goOnline, newPhone, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const EDITOR = '13800000007'
const SECRETARY = '13800000004'
const COURSE = '支部好做法案例选'
const CASE_TITLE = '院子里的课堂'
const TEXT = '带着老党员上门送学，三户人家的院子成了课堂。大家边学边议，把村里的难事记了下来。'

const session = usePhone()

/** Signs in through the API, as another device would, and returns the bearer token. */
async function tokenOf(phone: string): Promise<string> {
  const res = await fetch(`${session.server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: DEMO_PASSWORD, deviceName: 'e2e' }),
  })
  return ((await res.json()) as { token: string }).token
}

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${session.server.url}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as T }
}

const push = (token: string, kind: string, payload: unknown) =>
  call<{ results: { status: string }[] }>(token, 'POST', '/v1/sync/push', { deviceId: 'e2e', records: [{ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'e2e' }] })

describe('好的进教材: from a member’s reflection to the editor’s draft', () => {
  it('asks the author on their phone, takes the answer offline, and puts the case into the editor’s draft', async () => {
    const [member, leader, editor] = await Promise.all([PHONES.member, PHONES.leader, EDITOR].map(tokenOf))
    const me = (await call<{ orgUnitId: string; name: string }>(member, 'GET', '/v1/auth/me')).json
    const reflectionId = crypto.randomUUID()
    expect((await push(member, 'reflection_post', { reflectionId, orgUnitId: me.orgUnitId, text: TEXT, photos: [] })).json.results[0]!.status).toBe('applied')
    expect((await push(leader, 'reflection_review', { reflectionId, status: 'excellent' })).json.results[0]!.status).toBe('applied')
    const editorRoles = (await call<{ roles: { role: string; orgUnitId: string }[] }>(editor, 'GET', '/v1/auth/me')).json.roles
    const districtId = editorRoles.find((r) => r.role === 'editor')!.orgUnitId
    const course = await call<StudioItem>(editor, 'POST', '/v1/studio/items', {
      orgUnitId: districtId,
      draft: { type: 'course', title: COURSE, kind: 'specialty', category: 'rural-revitalisation', description: '各支部的好做法。', cover: null, lecturerId: null, lessons: [{ title: '导言', minutes: 5, body: '好的做法进教材。', audio: null }] },
    })
    expect(course.status).toBe(201)

    // The branch secretary proposes it from the excellent feed on their phone. Sent without a
    // title, the server's refusal is shown at the title field.
    const secretaryPhone = await newPhone(session.browser, session.server.url)
    const sec = await secretaryPhone.newPage()
    await signIn(sec, SECRETARY)
    await sec.goto('/reflections')
    await sec.getByRole('tab', { name: '优秀心得' }).click()
    // The secretary is in the member's group too: the same card is in both tabs.
    const excellent = sec.getByRole('tabpanel', { name: '优秀心得' }).getByTestId('reflection').filter({ hasText: TEXT })
    await excellent.getByTestId('reflection-propose-case').click()
    const form = sec.getByTestId('case-propose')
    await form.getByTestId('case-propose-unit').selectOption(districtId)
    await form.getByTestId('case-propose-course').selectOption({ label: COURSE })
    await form.getByTestId('case-propose-send').click()
    await form.getByTestId('case-propose-title-error').waitFor()
    await sec.waitForFunction(() => !document.querySelector('[class*="-enter-active"]'))
    expect(await axeViolations(sec)).toEqual([])
    await screenshot(sec, 'case-propose')
    await form.getByTestId('case-propose-title').fill(CASE_TITLE)
    await form.getByTestId('case-propose-note').fill('做法实在，适合作特色课案例。')
    await form.getByTestId('case-propose-send').click()
    await expect.poll(() => excellent.getByTestId('reflection-case-state').textContent()).toContain('待作者同意')
    await expect.poll(() => excellent.getByTestId('reflection-propose-case').count()).toBe(0)
    await secretaryPhone.close()

    // The author's phone reads the proposal online, then answers it with no signal.
    const page = session.page
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)
    await page.goto('/reflections')
    const card = page.getByTestId('case-card')
    await card.getByText(CASE_TITLE).waitFor()
    await card.getByText(COURSE).waitFor()
    await page.waitForFunction(() => !document.querySelector('[class*="-enter-active"]'))
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'case-consent')
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await page.reload()
    await card.getByTestId('case-agree').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'case-consent-elder')
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '0'))
    await goOffline(session.context)
    await page.reload()
    await card.getByTestId('case-agree').click()
    await expect.poll(() => card.getByTestId('case-state').textContent(), { timeout: 15_000 }).toContain('联网后上传')
    expect((await call<StudioItem>(editor, 'GET', `/v1/studio/items/${course.json.id}`)).json.draft).toMatchObject({ lessons: [{ title: '导言' }] })

    await goOnline(session.context)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    await expect.poll(() => card.getByTestId('case-state').textContent(), { timeout: 30_000 }).toContain('已同意收录')

    // The district's course editor finds it in the course draft, attributed.
    const desk = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(15_000)
    const studio = await desk.newPage()
    await signIn(studio, EDITOR)
    await studio.goto('/studio')
    await studio.getByTestId('studio-list-item').filter({ hasText: COURSE }).click()
    await studio.getByTestId('studio-lesson-pick').filter({ hasText: CASE_TITLE }).click()
    const body = await studio.getByTestId('studio-lesson-body').inputValue()
    expect(body).toContain(TEXT)
    expect(body).toContain(me.name)
    await studio.getByTestId('studio-preview').getByText('案例来源').waitFor()

    // The studio's list of proposals shows it agreed.
    await studio.goto('/studio')
    await studio.getByTestId('studio-cases').click()
    const row = studio.getByTestId('case-row').filter({ hasText: CASE_TITLE })
    await expect.poll(() => row.getByTestId('case-row-state').textContent()).toContain('已同意')
    expect(await axeViolations(studio)).toEqual([])
    await desk.close()
    const phone = await newPhone(session.browser, session.server.url)
    const list = await phone.newPage()
    await signIn(list, EDITOR)
    await list.goto('/studio/cases')
    await list.getByTestId('case-row').filter({ hasText: CASE_TITLE }).waitFor()
    await screenshot(list, 'case-list')
    await list.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await list.reload()
    await list.getByTestId('case-row').filter({ hasText: CASE_TITLE }).waitFor()
    expect(await axeViolations(list)).toEqual([])
    await screenshot(list, 'case-list-elder')
    await phone.close()
  })
})
