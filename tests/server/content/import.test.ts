import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContentError, parseContent } from '../../../server/features/content/content.parse.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { seedDemo } from '../../../server/seed/demo.ts'
import { TEST_COST } from '../../support/testApp.ts'
import { DIALECTS, openTestDb, type TestDb } from '../../support/testDb.ts'

/** A scratch copy of content/ that a test may break. */
function copyContent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pps-content-'))
  cpSync(CONTENT_DIR, dir, { recursive: true })
  return dir
}

function expectContentError(dir: string, file: string, line: number, what: RegExp) {
  let error: unknown
  try {
    parseContent(dir)
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(ContentError)
  const e = error as ContentError
  expect({ file: e.file, line: e.line }).toEqual({ file, line })
  expect(e.what).toMatch(what)
}

describe('parsing content/', () => {
  const dirs: string[] = []
  const scratch = () => {
    const d = copyContent()
    dirs.push(d)
    return d
  }
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('reads every course, lesson, pocket category and entry of the demo content', () => {
    const c = parseContent(CONTENT_DIR)
    expect(c.courses).toHaveLength(8)
    expect(c.lessons.length).toBeGreaterThanOrEqual(32)
    expect(c.categories).toHaveLength(8)
    expect(c.entries.length).toBeGreaterThanOrEqual(170)
    const lesson = c.lessons.find((l) => l.id === 'three-meetings-one-lesson-01')!
    expect(lesson.audio).toMatch(/^\/media\/audio\/three-meetings-one-lesson-01\.ogg\?v=[0-9a-f]{12}$/)
    expect(lesson.body).toMatch(/\]\(\/media\/images\/three-meetings-cycle\.svg\?v=[0-9a-f]{12}\)/)
    const course = c.courses.find((x) => x.id === 'three-meetings-one-lesson')!
    const media = JSON.parse(course.media) as { url: string; bytes: number }[]
    expect(media.map((m) => m.url.split('?')[0])).toEqual(
      expect.arrayContaining(['/media/covers/three-meetings-one-lesson.svg', '/media/audio/three-meetings-one-lesson-01.ogg', '/media/images/three-meetings-cycle.svg']),
    )
    expect(media.find((m) => m.url.includes('.ogg'))!.bytes).toBe(108538)
  })

  it('names file and line of broken YAML', () => {
    const dir = scratch()
    const file = 'pocket/law/pocket-law-001.md'
    writeFileSync(join(dir, file), '---\nid: pocket-law-001\ntitle: 结婚登记: 多余的冒号\ncategory: law\n---\n正文\n')
    expectContentError(dir, file, 3, /invalid YAML/)
  })

  it('names a missing required field', () => {
    const dir = scratch()
    const file = 'courses/rural-safety/02-farm-machinery-and-traffic.md'
    const text = readFileSync(join(dir, file), 'utf8').replace(/^title:.*\n/m, '')
    writeFileSync(join(dir, file), text)
    expectContentError(dir, file, 2, /"title" is required/)
  })

  it('names a wrong type on its own line', () => {
    const dir = scratch()
    const file = 'courses/rural-safety/01-electricity-and-fire.md'
    writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').replace(/^minutes:.*$/m, 'minutes: five'))
    expectContentError(dir, file, 5, /"minutes" must be a whole number/)
  })

  it('rejects an unknown course category, a missing media file and a duplicate id', () => {
    let dir = scratch()
    const course = 'courses/law-in-daily-life/course.md'
    writeFileSync(join(dir, course), readFileSync(join(dir, course), 'utf8').replace(/^category:.*$/m, 'category: cooking'))
    expectContentError(dir, course, 5, /"category" must be one of/)

    dir = scratch()
    const lesson = 'courses/rural-safety/01-electricity-and-fire.md'
    writeFileSync(join(dir, lesson), readFileSync(join(dir, lesson), 'utf8').replace('home-safety-checklist.svg', 'missing.svg'))
    const line = readFileSync(join(dir, lesson), 'utf8').split('\n').findIndex((l) => l.includes('missing.svg')) + 1
    expectContentError(dir, lesson, line, /media file "media\/images\/missing.svg" does not exist/)

    dir = scratch()
    const entry = 'pocket/law/pocket-law-002.md'
    writeFileSync(join(dir, entry), readFileSync(join(dir, entry), 'utf8').replace(/^id:.*$/m, 'id: pocket-law-001'))
    expectContentError(dir, entry, 2, /already used by pocket\/law\/pocket-law-001.md/)
  })
})

describe.each(DIALECTS)('importing content on %s', (dialect) => {
  let testDb: TestDb
  let dir: string
  beforeAll(async () => {
    testDb = await openTestDb(dialect)
    await seedDemo(testDb.db, { passwordCost: TEST_COST })
    dir = copyContent()
  })
  afterAll(async () => {
    await testDb.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const versions = async () =>
    new Map(
      [
        ...(await testDb.db.selectFrom('course').select(['id', 'version', 'deleted_at']).execute()),
        ...(await testDb.db.selectFrom('lesson').select(['id', 'version', 'deleted_at']).execute()),
        ...(await testDb.db.selectFrom('pocket_entry').select(['id', 'version', 'deleted_at']).execute()),
        ...(await testDb.db.selectFrom('pocket_category').select(['id', 'version', 'deleted_at']).execute()),
      ].map((r) => [r.id, r]),
    )

  it('imports everything once, and a second import changes nothing', async () => {
    const first = await importContent(testDb.db, dir)
    expect(first.inserted).toBeGreaterThan(200)
    const before = await versions()
    expect(new Set([...before.values()].map((r) => r.version)).size).toBe(before.size) // one sequence, no repeats
    const second = await importContent(testDb.db, dir)
    expect(second).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: first.inserted })
    expect(await versions()).toEqual(before)
  })

  it('gives only the changed item a new, higher version and turns a removed file into a tombstone', async () => {
    const before = await versions()
    const maxBefore = Math.max(...[...before.values()].map((r) => r.version))
    const file = join(dir, 'pocket/law/pocket-law-003.md')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n补充一句。\n')
    // pocket-law-007: no quiz question cites it (removing a cited entry stops the import).
    unlinkSync(join(dir, 'pocket/law/pocket-law-007.md'))
    const s = await importContent(testDb.db, dir)
    expect(s).toMatchObject({ inserted: 0, updated: 1, deleted: 1 })
    const after = await versions()
    const changed = [...after.values()].filter((r) => r.version !== before.get(r.id)!.version).map((r) => r.id)
    expect(changed.sort()).toEqual(['pocket-law-003', 'pocket-law-007'])
    expect(after.get('pocket-law-003')!.version).toBeGreaterThan(maxBefore)
    expect(after.get('pocket-law-007')!.deleted_at).not.toBeNull()
  })

  it('aborts on a malformed file and leaves the database untouched', async () => {
    const before = await versions()
    const good = join(dir, 'pocket/law/pocket-law-005.md')
    writeFileSync(good, readFileSync(good, 'utf8') + '\n这一改动不应写入。\n')
    writeFileSync(join(dir, 'pocket/safety/pocket-safety-001.md'), '---\nid: pocket-safety-001\n---\n')
    await expect(importContent(testDb.db, dir)).rejects.toThrow(/pocket\/safety\/pocket-safety-001.md:2: "category" is required/)
    expect(await versions()).toEqual(before)
  })
})
