/**
 * A county's pocket book shared as one package (`npm run bench:studio:package`, issue 15 "Proof"):
 * a 5,000-entry pocket-book package (placeholder text) is imported through the studio route,
 * every draft is submitted by the editor and approved by the district admin, and then a member's
 * phone makes its first full pull. The baseline, in the same run and database, is content:import
 * of the demo content/ (33 lessons) and the pull a phone makes with that content alone.
 * BENCH_ENTRIES changes the count; BENCH_DIALECTS=sqlite runs one.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, type App } from '../server/app.ts'
import { connect, type DbHandle } from '../server/db/connect.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { importContent } from '../server/features/content/import.ts'
import { writeZip, type PackageFiles } from '../server/features/studio/package/zip.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../server/seed/demo.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 5000)
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]
const [MEMBER, , , , , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)

async function open(dialect: 'sqlite' | 'postgres'): Promise<{ handle: DbHandle; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pps-package-'))
    return { handle: connect({ url: join(dir, 'bench.sqlite') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const schema = await createSchema('bench_package')
  return { handle: connect({ url: PG_URL, pgSchema: schema }), cleanup: () => dropSchema(schema) }
}

/** Placeholder entries written for the bench: numbered study points, a few hundred characters each. */
function pocketPackage(n: number): Uint8Array {
  const enc = new TextEncoder()
  const files: PackageFiles = new Map([['pocket/categories.yaml', enc.encode('- id: county-notes\n  title: 县里的学习要点\n  titleEn: County study notes\n  order: 90\n')]])
  for (let i = 1; i <= n; i++) {
    const body = `第${i}条学习要点（占位文字）。\n\n- 先读原文，再讲给身边的人听。\n- 结合本村第${i % 37}号议事记录想一想。\n- 学后写下一句体会。\n`.repeat(3)
    files.set(`pocket/county-notes/note-${i}.md`, enc.encode(`---\nid: note-${i}\ntitle: 学习要点第${i}条\ncategory: county-notes\ntags: [要点, 第${i % 12}组]\n---\n${body}`))
  }
  return writeZip(files)
}

const signIn = async (app: App, phone: string) => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password: DEMO_PASSWORD, deviceName: 'bench' } })
  return { authorization: `Bearer ${res.json().token}` }
}

/** A new phone's first pull, every page: changes, bytes on the wire, ms. */
async function fullPull(app: App, headers: { authorization: string }) {
  const t0 = performance.now()
  let since = ''
  let changes = 0
  let bytes = 0
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers })
    bytes += res.rawPayload.length
    const page = res.json()
    changes += page.changes.length
    since = page.cursor
    if (!page.more) break
  }
  return { ms: performance.now() - t0, changes, bytes }
}

async function run(dialect: 'sqlite' | 'postgres', zip: Uint8Array) {
  const { handle, cleanup } = await open(dialect)
  const storeDir = mkdtempSync(join(tmpdir(), 'pps-package-media-'))
  try {
    await migrateToLatest(handle.db)
    await seedDemo(handle.db, { passwordCost: { N: 2 ** 10, r: 8, p: 1 } })
    const app = await buildApp({ handle, reportFoldMs: false, videoWorker: false, mediaStoreDir: storeDir })
    await app.ready()
    const district = (await handle.db.selectFrom('org_unit').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()).id
    const [member, editor, admin] = [await signIn(app, MEMBER!), await signIn(app, EDITOR!), await signIn(app, ADMIN!)]

    let t = performance.now()
    await importContent(handle.db, undefined, Date.now(), { ffmpeg: false })
    const baselineImport = performance.now() - t
    const baselinePull = await fullPull(app, member)

    t = performance.now()
    const res = await app.inject({ method: 'POST', url: `/api/v1/studio/package?orgUnitId=${district}`, headers: { ...editor, 'content-type': 'application/zip' }, payload: Buffer.from(zip) })
    if (res.statusCode !== 201) throw new Error(`import refused: ${res.body}`)
    const importMs = performance.now() - t

    const items = await handle.db.selectFrom('studio_item').select(['id', 'revision']).where('status', '=', 'draft').execute()
    t = performance.now()
    for (const item of items) {
      const submitted = await app.inject({ method: 'POST', url: `/api/v1/studio/items/${item.id}/submit`, headers: editor, payload: { revision: item.revision } })
      const approved = await app.inject({ method: 'POST', url: `/api/v1/studio/items/${item.id}/approve`, headers: admin, payload: { revision: submitted.json().revision } })
      if (approved.statusCode !== 200) throw new Error(`approve failed: ${approved.body}`)
    }
    const publishMs = performance.now() - t
    const pull = await fullPull(app, member)
    await app.close()
    return { baselineImport, baselinePull, importMs, publishMs, items: items.length, pull }
  } finally {
    await handle.db.destroy()
    await cleanup()
    rmSync(storeDir, { recursive: true, force: true })
  }
}

const zip = pocketPackage(ENTRIES)
console.log(`package: ${ENTRIES} pocket-book entries, ${(zip.length / 1e6).toFixed(2)} MB zip`)
for (const dialect of DIALECTS) {
  const r = await run(dialect, zip)
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  console.log(`\n${dialect}:
  baseline  content:import of the demo content/ (33 lessons)   ${s(r.baselineImport)}
  baseline  a new phone's first pull with it                   ${s(r.baselinePull.ms)}  (${r.baselinePull.changes} changes, ${(r.baselinePull.bytes / 1e6).toFixed(2)} MB)
  package   import into drafts (${r.items} items)                ${s(r.importMs)}
  package   submit + approve each draft (two people)           ${s(r.publishMs)}  (${(r.publishMs / r.items).toFixed(1)} ms an item)
  package   a new phone's first pull afterwards                ${s(r.pull.ms)}  (${r.pull.changes} changes, ${(r.pull.bytes / 1e6).toFixed(2)} MB)`)
}
