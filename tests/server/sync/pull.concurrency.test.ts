/**
 * A pull must never skip a committed row: content imports and assignment changes commit while
 * phones pull page after page; once the writers stop, every phone holds exactly what a pull from
 * scratch gives. Before each page was read from one snapshot, 14–25 rows of ~350 went missing.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_DIR } from '../../../server/features/content/import.ts'
import { parseContent, type ParsedContent } from '../../../server/features/content/content.parse.ts'
import { applyContent, rootOrgUnit } from '../../../server/features/content/content.repository.ts'
import { cancelAssignment, insertAssignment } from '../../../server/features/assignment/assignment.repository.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { differences, MemoryPhone, scratch, seeded } from './pullSupport.ts'

const ROUNDS = 20
const PHONES = 4

describe.each(DIALECTS)('pulling while others write on %s', (dialect) => {
  let ctx: TestContext
  let auth: { authorization: string }
  let root: string
  let base: ParsedContent
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    base = parseContent(CONTENT_DIR)
    root = (await rootOrgUnit(ctx.testDb.db))!
    await applyContent(ctx.testDb.db, base, { orgUnitId: root })
    auth = await signIn(ctx.app, '13800000001')
  })
  afterAll(() => ctx.close())

  /** One import of the content folder with a few entries and lessons edited and some removed. */
  function variant(random: () => number, round: number): ParsedContent {
    const edit = <T extends { content_hash: string; title: string }>(rows: T[]) =>
      rows.filter(() => random() > 0.05).map((r) => (random() < 0.1 ? { ...r, title: `${r.title} (${round})`, content_hash: `${r.content_hash}-${round}` } : r))
    return { ...base, courses: edit(base.courses), lessons: edit(base.lessons), entries: edit(base.entries) }
  }

  it('every phone ends equal to a pull from scratch', { timeout: 180_000 }, async () => {
    const db = ctx.testDb.db
    const member = ctx.seed.people.find((p) => p.phone === '13800000001')!
    const secretary = ctx.seed.people.find((p) => p.phone === '13800000004')!
    const path = ctx.seed.units.find((u) => u.id === member.org_unit_id)!.path.split('/').filter(Boolean)
    const random = seeded(20)
    let writing = true

    const contentWriter = async () => {
      for (let round = 0; round < ROUNDS; round++) await applyContent(db, variant(random, round), { orgUnitId: root })
    }
    const assignmentWriter = async () => {
      const live: string[] = []
      for (let round = 0; round < ROUNDS * 3; round++) {
        await db.transaction().execute(async (trx) => {
          if (live.length > 3 && random() < 0.4) return cancelAssignment(trx, live.splice(0, 1)[0]!, Date.now())
          const id = randomUUID()
          live.push(id)
          const unit = path[Math.floor(random() * path.length)]!
          const named = random() < 0.3
          const body = { id, contentKind: 'course' as const, contentId: 'rural-safety', orgUnitId: unit, dueAt: Date.now() + 86_400_000, ...(named ? { personIds: [member.id] } : {}) }
          await insertAssignment(trx, body, secretary.id, Date.now())
        })
      }
    }
    const phones = Array.from({ length: PHONES }, (_, i) => new MemoryPhone(ctx.app, auth, 10 + i * 7))
    const puller = async (phone: MemoryPhone) => {
      while (writing) await phone.pull()
    }

    const pulling = Promise.all(phones.map(puller))
    await Promise.all([contentWriter(), assignmentWriter()])
    writing = false
    await pulling

    const truth = await scratch(ctx.app, auth)
    expect(truth.size).toBeGreaterThan(300)
    const wrong = []
    for (const phone of phones) {
      await phone.pull()
      const diff = differences(phone.rows, truth)
      wrong.push({ missing: diff.missing.length, extra: diff.extra.length, stale: diff.stale.length })
    }
    expect(wrong).toEqual(phones.map(() => ({ missing: 0, extra: 0, stale: 0 })))
  })
})
