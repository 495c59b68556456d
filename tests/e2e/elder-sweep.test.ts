/**
 * Elder mode to MIIT's 适老化 specification on every screen: every route of src/router.ts, as each
 * demo role that may open it, at 360×640 in elder mode, measured for text size, line height,
 * contrast, tap-target size and pop-ups (support/elderRules.ts), plus axe-core's WCAG 2.2 AA
 * rules in normal and elder mode. The route list comes from the running app's router, so a new
 * route is swept without touching this file, unless it needs a parameter (then PARAMS says which).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLE_RANK } from '../../src/protocol/auth.constants.ts'
import type { RoleName } from '../../src/protocol/auth.ts'
import { DEMO_LOGINS } from '../../server/seed/demo.ts'
import { uuidv7 } from '../../src/features/sync/uuidv7.ts'
import { api } from './support/accounts.ts'
import { axeViolations, WCAG22_AA } from './support/axe.ts'
import { DEMO_PASSWORD, launchBrowser, newPhone, screenshot, signIn } from './support/browser.ts'
import { measureElderRules, MIIT, TAP_TARGETS } from './support/elderRules.ts'
import { startServer, type E2eServer } from './support/server.ts'
import { queryServerDb } from './support/serverDb.ts'

interface AppRoute {
  name: string
  path: string
  public: boolean
  leadersOnly: boolean
  minRole?: RoleName
  /** The course studio's screens: editors, supervisors and admins (the router's meta.studio). */
  studio: boolean
}

/** Ids from the seeded demo data (and the imported content) that routes with parameters need. */
type DemoIds = Record<'course' | 'lesson' | 'pocketCategory' | 'pocketEntry' | 'quiz' | 'meeting' | 'studyPoint' | 'person', string>
type Params = Record<string, string> | { skip: string }

/** Every route with a required parameter: where its value comes from, or why it is not swept. */
const PARAMS: Record<string, (ids: DemoIds) => Params> = {
  course: (ids) => ({ id: ids.course }),
  lesson: (ids) => ({ id: ids.lesson }),
  'pocket-category': (ids) => ({ id: ids.pocketCategory }),
  'pocket-entry': (ids) => ({ id: ids.pocketEntry }),
  'quiz-take': (ids) => ({ id: ids.quiz }),
  'roll-call': (ids) => ({ id: ids.meeting }),
  'meeting-code': (ids) => ({ id: ids.meeting }),
  'study-point': (ids) => ({ id: ids.studyPoint }),
  'study-point-edit': (ids) => ({ id: ids.studyPoint }),
  'admin-person': (ids) => ({ id: ids.person }),
  'quiz-result': () => ({ skip: 'an attempt exists only on the phone that took the quiz (quiz.test.ts covers the screen)' }),
  exam: () => ({ skip: 'the demo data has no exam (exam.test.ts sets one up and checks the screen)' }),
  'exam-take': () => ({ skip: 'the demo data has no exam (exam.test.ts sets one up and checks the screen)' }),
  'assignment-result': () => ({ skip: 'the demo data has no assignment (assignment.test.ts covers the screen)' }),
  survey: () => ({ skip: 'the demo data has no survey (survey.test.ts sends one and checks the screen)' }),
  'survey-results': () => ({ skip: 'the demo data has no survey (survey.test.ts checks the results screen)' }),
  lecturer: () => ({ skip: 'the demo lecturers have no studio course; catalogue.test.ts checks the page’s API, LecturersPage links to it' }),
  'studio-item': () => ({ skip: 'the demo data has no studio item (studio.test.ts writes one and checks the screen)' }),
}

/**
 * Pop-ups a person opens, checked like screens once: the button that opens one on the route and
 * the one that closes it. (Toasts pass too quickly for axe; tests/unit/ui/popupNames.test.ts.)
 */
const POPUPS: Record<string, { open: string; close: string }> = {
  me: { open: 'logout', close: '.van-dialog__cancel' },
}

/** Screens saved to tests/e2e/screenshots/elder-<name>.png for people to look at. */
const SCREENSHOTS = new Set(['login', 'home', 'study', 'course', 'lesson', 'pocket', 'pocket-entry', 'quiz', 'quiz-take', 'attendance', 'me', 'manage', 'roll-call', 'reflections', 'archive', 'study-points', 'checkin'])

/** One demo account per role, lowest role first (each screen's axe run uses the first that opens it). */
const ROLES = (['member', 'editor', 'group_leader', 'secretary', 'supervisor', 'admin'] as const).map((role) => DEMO_LOGINS.find((l) => l.role === role)!)

const requiredParams = (path: string) => [...path.matchAll(/:(\w+)(\([^)]*\))?([?*+])?/g)].filter((m) => m[3] !== '?' && m[3] !== '*').map((m) => m[1]!)

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\/:(\w+)(\([^)]*\))?[?*+]?/g, (_m, key: string) => (params[key] ? `/${params[key]}` : ''))
}

function opens(route: AppRoute, role: RoleName): boolean {
  if (route.public) return false
  const studio = route.studio && (role === 'editor' || ROLE_RANK[role] >= ROLE_RANK.supervisor)
  if (route.minRole) return ROLE_RANK[role] >= ROLE_RANK[route.minRole]
  if (route.leadersOnly) return studio || ROLE_RANK[role] >= ROLE_RANK.group_leader
  return !route.studio || studio
}

let server: E2eServer
let browser: Browser
let routes: AppRoute[]
let ids: DemoIds
/** Routes axe has already checked (by a lower role). */
const axed = new Set<string>()

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  const first = (sql: string) => queryServerDb<{ id: string }>(server.dbFile, sql)[0]!.id
  ids = {
    // A lesson with recorded audio: the reader shows its player too.
    lesson: first(`select id from lesson where audio is not null and deleted_at is null order by id limit 1`),
    course: first(`select course_id as id from lesson where audio is not null and deleted_at is null order by id limit 1`),
    pocketCategory: first(`select id from pocket_category order by id limit 1`),
    pocketEntry: first(`select id from pocket_entry where deleted_at is null order by id limit 1`),
    quiz: first(`select id from quiz where deleted_at is null order by id limit 1`),
    meeting: await leadersMeeting(),
    studyPoint: first(`select id from study_point order by id limit 1`),
    person: first(`select id from person where phone = '13800000001'`),
  }
})

/** A meeting of the demo group leader's own group (the seeded ones are another branch's), made as their phone would. */
async function leadersMeeting(): Promise<string> {
  type Login = { token: string; profile: { roles: { role: string; orgUnitId: string }[] } }
  const leader = DEMO_LOGINS.find((l) => l.role === 'group_leader')!
  const { token, profile } = await api<Login>(server.url, 'POST', '/v1/auth/login', undefined, { phone: leader.phone, password: DEMO_PASSWORD, deviceName: 'sweep' })
  const meetingId = randomUUID()
  const payload = {
    meetingId,
    orgUnitId: profile.roles.find((r) => r.role === 'group_leader')!.orgUnitId,
    type: 'group_meeting',
    startsAt: Date.now() - 5 * 60_000,
    endsAt: Date.now() + 55 * 60_000,
    place: '村委会',
    topic: '学习新修订的党章',
    checkinCode: '246813',
    checkinToken: randomBytes(18).toString('base64url'),
  }
  const record = { id: uuidv7(), kind: 'meeting_create', createdAt: Date.now(), deviceId: 'sweep', payload }
  const pushed = await api<{ results: { status: string }[] }>(server.url, 'POST', '/v1/sync/push', token, { deviceId: 'sweep', records: [record] })
  expect(pushed.results[0]?.status).toBe('applied')
  return meetingId
}

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** A phone in elder mode from its first paint, as the switch on the login screen leaves it. */
async function elderPhone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newPhone(browser, server.url)
  await context.addInitScript(() => localStorage.setItem('pps.elderMode', '1'))
  const page = await context.newPage()
  countRequests(page)
  return { context, page }
}

async function readRoutes(page: Page): Promise<AppRoute[]> {
  return page.evaluate(() => {
    type Record = { name?: unknown; path: string; redirect?: unknown; meta: { public?: boolean; leadersOnly?: boolean; minRole?: RoleName; studio?: boolean } }
    const app = (document.querySelector('#app') as unknown as { __vue_app__: { config: { globalProperties: { $router: { getRoutes(): Record[] } } } } }).__vue_app__
    return app.config.globalProperties.$router
      .getRoutes()
      .filter((r) => r.name && !r.redirect)
      .map((r) => ({ name: String(r.name), path: r.path, public: !!r.meta.public, leadersOnly: !!r.meta.leadersOnly, minRole: r.meta.minRole, studio: !!r.meta.studio }))
  })
}

/** Client-side navigation (no reload: the sweep stays fast); resolves with the route it landed on. */
async function go(page: Page, path: string): Promise<string> {
  const landed = await page.evaluate(async (to) => {
    const app = (document.querySelector('#app') as unknown as { __vue_app__: { config: { globalProperties: { $router: { push(p: string): Promise<unknown>; currentRoute: { value: { name?: unknown } } } } } } }).__vue_app__
    const router = app.config.globalProperties.$router
    await router.push(to)
    return String(router.currentRoute.value.name)
  }, path)
  await settle(page)
  return landed
}

/** Requests in flight per page, counted from the browser's network events. */
const inFlight = new WeakMap<Page, number>()

function countRequests(page: Page): void {
  inFlight.set(page, 0)
  page.on('request', () => inFlight.set(page, inFlight.get(page)! + 1))
  const done = () => inFlight.set(page, inFlight.get(page)! - 1)
  page.on('requestfinished', done)
  page.on('requestfailed', done)
}

/**
 * Waits until the screen has its data: two frames in a row without a spinner and with no request
 * in flight. Each wait is for a frame, never a fixed time; ~300 rounds at most (a spinner that
 * never stops, or a screen that polls, is measured as it is).
 */
async function settle(page: Page): Promise<void> {
  for (let quiet = 0, round = 0; quiet < 2 && round < 300; round++) {
    const loading = await page.evaluate(async () => {
      await new Promise(requestAnimationFrame)
      await document.fonts.ready
      return [...document.querySelectorAll('.van-loading, .van-skeleton, [aria-busy="true"]')].some((el) => el.checkVisibility())
    })
    quiet = loading || inFlight.get(page)! > 0 ? 0 : quiet + 1
  }
}

const report = (route: string, findings: { rule: string; element: string; measured: string }[]) =>
  findings.map((f) => `${route}: ${f.rule} ${f.element} (${f.measured})`)

/** Switches the mode and waits for the transitions it starts (axe must not read a colour half-way). */
async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate(async (value) => {
    document.documentElement.classList.toggle('elder-mode', value)
    const finite = document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity)
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)))
  }, on)
}

/** Axe in normal and elder mode, then back to elder mode. */
async function axeBothModes(page: Page, label: string): Promise<string[]> {
  await setElder(page, false)
  const normal = (await axeViolations(page, { tags: WCAG22_AA })).map((v) => `${label} (normal): ${v}`)
  await setElder(page, true)
  const elder = (await axeViolations(page, { tags: WCAG22_AA })).map((v) => `${label} (elder): ${v}`)
  return [...normal, ...elder]
}

async function checkPopup(page: Page, path: string, popup: (typeof POPUPS)[string]): Promise<string[]> {
  await page.getByTestId(popup.open).click()
  await page.locator('.van-popup[role="dialog"]').first().waitFor()
  await setElder(page, true) // waits for the pop-up's entry transition
  const label = `${path} + ${popup.open}`
  // Measured as a screen, less the rule it breaks on purpose: a person asked for this one.
  const findings = (await measure(page)).filter((f) => f.rule !== 'pop-up')
  const failures = [...report(label, findings), ...(await axeBothModes(page, label))]
  await page.locator(popup.close).click()
  // Gone before the next screen is measured (its leave transition would count as a pop-up there).
  await page.locator('.van-popup[role="dialog"]').first().waitFor({ state: 'hidden' })
  return failures
}

async function measure(page: Page): Promise<ReturnType<typeof measureElderRules>> {
  return page.evaluate(measureElderRules, { rules: MIIT, targets: TAP_TARGETS })
}

describe('elder mode on every screen', () => {
  it('the login screen, before anyone signs in', async () => {
    const { context, page } = await elderPhone()
    await page.goto('/login')
    await page.getByTestId('login-phone').waitFor()
    await settle(page)
    routes = await readRoutes(page)
    const failures = report('/login', await measure(page))
    // 适老化切换: the switch is in the first screen, big enough to find and tap.
    const toggle = (await page.getByTestId('login-elder').boundingBox())!
    if (toggle.y + toggle.height > MIIT.VIEWPORT.height) failures.push('/login: the elder-mode switch is below the first screen')
    failures.push(...(await axeBothModes(page, '/login')))
    await screenshot(page, 'elder-login')
    await context.close()
    expect(failures).toEqual([])
  })

  it('every route with a parameter has a value from the demo data or a reason to skip it', () => {
    const missing = routes.filter((r) => requiredParams(r.path).length > 0 && !PARAMS[r.name]).map((r) => `${r.name} (${r.path})`)
    expect(missing, 'add these routes to PARAMS in elder-sweep.test.ts').toEqual([])
  })

  for (const login of ROLES) {
    it(`as ${login.label}: every screen the role opens`, async () => {
      const { context, page } = await elderPhone()
      await signIn(page, login.phone)
      const failures: string[] = []
      for (const route of routes.filter((r) => opens(r, login.role))) {
        const params = PARAMS[route.name]?.(ids) ?? {}
        if ('skip' in params) continue
        const path = fillPath(route.path, params as Record<string, string>)
        const landed = await go(page, path)
        if (landed !== route.name) {
          failures.push(`${path}: expected ${route.name}, landed on ${landed}`)
          continue
        }
        failures.push(...report(path, await measure(page)))
        if (!axed.has(route.name)) {
          axed.add(route.name)
          failures.push(...(await axeBothModes(page, path)))
          if (SCREENSHOTS.has(route.name)) await screenshot(page, `elder-${route.name}`)
          if (POPUPS[route.name]) failures.push(...(await checkPopup(page, path, POPUPS[route.name]!)))
        }
      }
      await context.close()
      expect(failures).toEqual([])
    }, 240_000) // the admin opens ~55 screens; generous for a busy two-core CI machine
  }
})
