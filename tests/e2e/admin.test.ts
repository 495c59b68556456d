/**
 * A township supervisor on a desktop browser (1280×800): imports members from a CSV with
 * mistakes (every bad row is listed and nothing is written), fixes the file and imports it with
 * progress and a printable password list, moves one member to another group, then reads the
 * audit log. Then the same screens on a 360×640 phone, normal and elder mode.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { newPhone, PHONES, screenshot, signIn, usePhone } from './support/browser.ts'

const session = usePhone()

const BAD_CSV = [
  '姓名,手机,党小组,流动党员,老弱',
  '何新一,13655550001,桃园村党支部/第一党小组,否,否',
  ',13655550002,桃园村党支部/第一党小组,,',
  '何新三,1365555,桃园村党支部/第二党小组,,',
  '何新四,13655550001,桃园村党支部/第二党小组,,',
  '何新五,13655550005,桃园村党支部/第九党小组,是,',
  '何新六,13655550006,河湾村党支部/第一党小组,,也许',
].join('\r\n')

const GOOD_CSV = [
  '姓名,手机,党小组,流动党员,老弱',
  '何新一,13655550001,桃园村党支部/第一党小组,否,否',
  '何新二,13655550002,桃园村党支部/第一党小组,,',
  '何新三,13655550003,桃园村党支部/第二党小组,,是',
  '何新四,13655550004,桃园村党支部/第二党小组,,',
  '何新五,13655550005,石桥村党支部/第一党小组,是,',
].join('\r\n')

async function chooseCsv(page: Page, name: string, text: string): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${text}`, 'utf8') })
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([])
}

describe('people administration', () => {
  let desk: BrowserContext
  let page: Page

  it('imports a CSV only once every bad row is fixed', async () => {
    desk = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(15_000)
    page = await desk.newPage()
    page.on('pageerror', (e) => console.error('page error:', e.message))
    await signIn(page, PHONES.supervisor)
    await page.goto('/manage')
    await page.getByTestId('manage-admin-import').click()

    await chooseCsv(page, 'members.csv', BAD_CSV)
    await page.getByTestId('import-errors').waitFor()
    const rows = page.getByTestId('import-error-row')
    await expect.poll(() => rows.count()).toBe(6)
    const text = await page.getByTestId('import-errors').innerText()
    for (const expected of ['缺少姓名', '手机号不是11位手机号', '手机号在文件中重复', '找不到该党小组', '应填“是”或“否”']) expect(text).toContain(expected)
    expect(await rows.first().locator('td').first().innerText()).toBe('3')
    await expect.poll(() => page.getByTestId('import-run').count()).toBe(0)
    await expectAccessible(page)
    await screenshot(page, 'admin-import-errors-desktop')

    await chooseCsv(page, 'members-fixed.csv', GOOD_CSV)
    await page.getByTestId('import-clean').waitFor()
    await page.getByTestId('import-run').click()
    await page.getByTestId('import-done').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('import-done').innerText()).toContain('5')
    await expect.poll(() => page.getByTestId('otp-row').count()).toBe(5)
    expect(await page.getByTestId('otp-row').first().innerText()).toMatch(/何新一\s+13655550001\s+\d{8}/)
    await expectAccessible(page)
    await screenshot(page, 'admin-import-done-desktop')
  })

  it('moves an imported member to another group', async () => {
    await page.goto('/manage/people')
    await page.getByTestId('people-search').locator('input').fill('何新三')
    await expect.poll(() => page.getByTestId('people-row').count()).toBe(1)
    await page.getByTestId('people-row').click()
    await page.getByTestId('person-move').waitFor()
    expect(await page.getByTestId('person-move').innerText()).toContain('第二党小组')
    await expectAccessible(page)
    await page.getByTestId('person-move').click()
    await page.getByTestId('unit-picker-row').filter({ hasText: '桃园村党支部' }).click()
    await page.getByTestId('unit-picker-row').filter({ hasText: '第三党小组' }).getByTestId('unit-pick').click()
    await expect.poll(() => page.getByTestId('person-move').innerText()).toContain('第三党小组')
    await screenshot(page, 'admin-person-desktop')
  })

  it('shows the move and the import in the audit log, and filters by who did it', async () => {
    await page.goto('/manage/audit')
    await page.getByTestId('audit-row').first().waitFor()
    const first = await page.getByTestId('audit-row').first().innerText()
    expect(first).toContain('调动党员')
    expect(first).toContain('何新三')
    expect(await page.getByTestId('audit-row').count()).toBeGreaterThanOrEqual(6)
    await page.getByTestId('audit-actor').first().click()
    await page.getByTestId('audit-actor-filter').waitFor()
    await expectAccessible(page)
    await screenshot(page, 'admin-audit-desktop')
  })

  it('fits a 360×640 phone, in normal and elder mode', async () => {
    const phone = await newPhone(session.browser, session.server.url)
    const small = await phone.newPage()
    await signIn(small, PHONES.supervisor)
    for (const elder of [false, true]) {
      await small.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), elder)
      const suffix = elder ? '-elder' : ''
      await small.goto('/manage/import')
      await chooseCsv(small, 'members.csv', BAD_CSV.replace(/1365555/g, '1366666'))
      await small.getByTestId('import-errors').waitFor()
      await screenshot(small, `admin-import-errors-phone${suffix}`)
      await small.goto('/manage/org')
      await small.getByTestId('org-child').first().waitFor()
      await expectAccessible(small)
      await screenshot(small, `admin-org-phone${suffix}`)
      await small.goto('/manage/people')
      await small.getByTestId('people-row').first().click()
      await small.getByTestId('person-move').waitFor()
      await screenshot(small, `admin-person-phone${suffix}`, { andBottom: true })
      await small.goto('/manage/audit')
      await small.getByTestId('audit-row').first().waitFor()
      await screenshot(small, `admin-audit-phone${suffix}`)
      await small.goto('/manage/lecturers')
      await small.getByTestId('lecturer-add').waitFor()
      await expectAccessible(small)
      await screenshot(small, `admin-lecturers-phone${suffix}`)
    }
    await phone.close()
    await desk.close()
  })

  it('lets the district admin erase a person at their request, after a dialog naming what goes (elder mode)', async () => {
    const phone = await newPhone(session.browser, session.server.url)
    try {
      const small = await phone.newPage()
      await signIn(small, '13800000006')
      await small.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
      await small.goto('/manage/people')
      await small.getByTestId('people-search').locator('input').fill('何新二')
      await expect.poll(() => small.getByTestId('people-row').count()).toBe(1)
      await small.getByTestId('people-row').click()
      await small.getByTestId('person-erase').waitFor()
      // Checked before the dialog opens: Vant's dialogs point aria-labelledby at their title text,
      // not at an element id, which axe reports for every Vant dialog (a Vant matter).
      await expectAccessible(small)
      await small.getByTestId('person-erase').click()
      const dialog = small.locator('.erase-dialog')
      await dialog.waitFor()
      const text = await dialog.innerText()
      for (const consequence of ['何新二', '退出登录', '已删除人员', '手机号', '照片', '统计数字保持不变', '无法撤销']) expect(text).toContain(consequence)
      await screenshot(small, 'admin-person-erase-phone-elder')
      await dialog.locator('.van-dialog__confirm').click()
      await expect.poll(() => small.getByTestId('person-status').innerText()).toBe('个人信息已删除')
      await small.getByTestId('person-erased-note').waitFor()
      expect(await small.getByTestId('person-edit-name').locator('input').inputValue()).toBe('已删除人员')
      expect(await small.getByTestId('person-erase').count()).toBe(0)
    } finally {
      await phone.close()
    }
  })
})
