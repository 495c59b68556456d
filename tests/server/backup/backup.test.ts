import { cp, mkdir, readFile, truncate, writeFile, readdir } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackup } from '../../../server/backup/backup.ts'
import { backupScheduleFromEnv, runScheduledBackup } from '../../../server/backup/schedule.ts'
import { BackupError, type Manifest } from '../../../server/backup/manifest.ts'
import { restoreBackup, VERSION_JUMP } from '../../../server/backup/restore.ts'
import { nextVersion } from '../../../server/db/version.ts'
import { connect, type Dialect } from '../../../server/db/connect.ts'
import { databaseChecksums } from '../../../server/db/tables.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { signIn } from '../../support/testApp.ts'
import { DIALECTS, openTestDb } from '../../support/testDb.ts'
import { studyRecord } from '../sync/pushSupport.ts'
import { freshPgDatabase, openSource, removeTempDirs, tempDir, type Source } from './support.ts'

afterAll(removeTempDirs)

describe.each(DIALECTS)('backup and restore on %s', (dialect: Dialect) => {
  let src: Source
  let member: { authorization: string }
  let work: string
  let mediaDir: string
  let uploadsDir: string
  const UPLOAD = `ab/ab${'0'.repeat(62)}.jpg`
  let backupDir: string
  const cleanups: (() => Promise<void>)[] = []

  const source = () => ({ dialect, sqlite: src.testDb.sqlite, url: src.url })
  const push = (n: number) =>
    src.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone-1', outboxCount: n, records: Array.from({ length: n }, () => studyRecord()) } })
  /** A target nothing was restored into yet: a file path, or a new empty database. */
  const emptyTarget = async (): Promise<string> => {
    if (dialect === 'sqlite') return join(await tempDir('target'), 'restored.sqlite')
    const db = await freshPgDatabase()
    cleanups.push(db.drop)
    return db.url
  }
  const tablesIn = async (to: string): Promise<number> => {
    if (dialect === 'sqlite') return existsSync(to) ? 1 : 0
    const h = connect({ url: to })
    const n = (await h.db.selectFrom('information_schema.tables' as never).select((eb) => eb.fn.countAll<string>().as('n')).where('table_schema' as never, '=', 'public' as never).executeTakeFirstOrThrow()).n
    await h.db.destroy()
    return Number(n)
  }
  const refusal = (from: string, to: string) => restoreBackup({ from, to, mediaDir: join(work, 'media-out') }).then(() => 'restored', (e: unknown) => (e instanceof BackupError ? e.message : `crash: ${String(e)}`))

  beforeAll(async () => {
    src = await openSource(dialect)
    member = await signIn(src.app, DEMO_LOGINS[0].phone)
    work = await tempDir('backup')
    mediaDir = join(work, 'media')
    await mkdir(join(mediaDir, 'covers'), { recursive: true })
    await writeFile(join(mediaDir, 'covers', 'a.svg'), '<svg/>')
    await writeFile(join(mediaDir, 'lesson.mp3'), Buffer.alloc(70_000, 7))
    // The studio's media store: an upload, and a write in progress that is no object yet.
    uploadsDir = join(work, 'uploads')
    await mkdir(join(uploadsDir, 'ab'), { recursive: true })
    await writeFile(join(uploadsDir, UPLOAD), Buffer.alloc(5000, 9))
    await writeFile(join(uploadsDir, `${UPLOAD}.1234.tmp`), Buffer.alloc(10, 1))
    expect((await push(30)).statusCode).toBe(200)
    backupDir = join(work, 'quiet')
    await createBackup(source(), { dest: backupDir, mediaDir, uploadsDir })
  })
  afterAll(async () => {
    await src.close()
    for (const c of cleanups) await c()
  })

  it('restores into an empty database with the same rows and checksums in every table, the media and the uploads', async () => {
    const to = await emptyTarget()
    const mediaOut = join(work, 'media-restored')
    const uploadsOut = join(work, 'uploads-restored')
    await restoreBackup({ from: backupDir, to, mediaDir: mediaOut, uploadsDir: uploadsOut })
    const restored = connect({ url: to })
    try {
      const [a, b] = [await databaseChecksums(src.testDb.db, dialect), await databaseChecksums(restored.db, dialect)]
      expect(b).toEqual(a)
      expect(a.study_event!.rows).toBe(30)
      // Versions continue far above any cursor a phone got after the backup was taken.
      const [before, after] = [await nextVersion(src.testDb.db), await nextVersion(restored.db)]
      expect(after).toBeGreaterThanOrEqual(before + VERSION_JUMP)
    } finally {
      await restored.db.destroy()
    }
    expect((await readdir(mediaOut, { recursive: true })).sort()).toEqual(['covers', 'covers/a.svg', 'lesson.mp3'])
    expect(await readFile(join(mediaOut, 'lesson.mp3'))).toEqual(Buffer.alloc(70_000, 7))
    expect((await readdir(uploadsOut, { recursive: true })).sort()).toEqual(['ab', UPLOAD])
    expect(await readFile(join(uploadsOut, UPLOAD))).toEqual(Buffer.alloc(5000, 9))
  })

  it('refuses a truncated database file, a damaged media file or a damaged manifest, and writes nothing', async () => {
    const dbFile = dialect === 'sqlite' ? 'database.sqlite' : 'database.pgdump'
    const damaged = async (name: string, harm: (dir: string) => Promise<void>) => {
      const dir = join(work, name)
      await cp(backupDir, dir, { recursive: true })
      await harm(dir)
      return dir
    }
    const cases = [
      await damaged('truncated', async (d) => truncate(join(d, dbFile), 1000)),
      await damaged('bad-media', async (d) => writeFile(join(d, 'media', 'covers', 'a.svg'), '<svg!>')),
      await damaged('bad-upload', async (d) => writeFile(join(d, 'uploads', UPLOAD), Buffer.alloc(5000, 8))),
      await damaged('bad-manifest', async (d) => writeFile(join(d, 'manifest.json'), (await readFile(join(d, 'manifest.json'), 'utf8')).replace('"bytes": ', '"bytes": 1'))),
    ]
    const to = await emptyTarget()
    const messages = []
    for (const dir of cases) {
      messages.push(await refusal(dir, to))
      expect(await tablesIn(to)).toBe(0)
    }
    expect(messages[0]).toMatch(/database\.(sqlite|pgdump) has 1000 bytes.*truncated/)
    expect(messages[1]).toMatch(/media\/covers\/a\.svg does not match its checksum/)
    expect(messages[2]).toMatch(/uploads\/ab\/ab0+\.jpg does not match its checksum/)
    expect(messages[3]).toMatch(/manifest\.json does not match its checksum/)
    expect(existsSync(join(work, 'media-out'))).toBe(false)
  })

  it('refuses a backup whose schema is newer than this code, and a target that is not empty', async () => {
    const dir = join(work, 'future')
    await cp(backupDir, dir, { recursive: true })
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
    manifest.migrations.push('999_from_the_future')
    const text = JSON.stringify(manifest)
    await writeFile(join(dir, 'manifest.json'), text)
    await writeFile(join(dir, 'manifest.json.sha256'), `${createHash('sha256').update(text).digest('hex')}  manifest.json\n`)
    const to = await emptyTarget()
    expect(await refusal(dir, to)).toMatch(/newer than this version.*999_from_the_future.*upgrade the server first/)
    expect(await tablesIn(to)).toBe(0)

    await restoreBackup({ from: backupDir, to, mediaDir: join(work, 'media-again') })
    expect(await refusal(backupDir, to)).toMatch(/already (holds a database|has tables)/)
  })

  it.runIf(dialect === 'postgres')('says pg_dump is missing, and leaves no backup, when it is not installed', async () => {
    const path = process.env.PATH
    process.env.PATH = join(work, 'no-bin')
    try {
      await expect(createBackup(source(), { dest: join(work, 'no-pg-dump'), mediaDir })).rejects.toThrow(/pg_dump was not found: install the PostgreSQL client tools/)
    } finally {
      process.env.PATH = path
    }
    expect((await readdir(work)).filter((n) => n.includes('no-pg-dump'))).toEqual([])
  })

  it('takes a backup during a burst of pushes that restores with every applied record and its effect, none half', async () => {
    const dest = join(work, 'burst')
    const first = await push(20)
    expect(first.statusCode).toBe(200)
    // One page per step: the copy spans many turns of the event loop, between the pushes.
    const backup = createBackup(source(), { dest, mediaDir, pagesPerStep: 1 })
    const pushes = Array.from({ length: 15 }, () => push(20))
    await Promise.all([backup, ...pushes])
    for (const r of await Promise.all(pushes)) expect(r.statusCode).toBe(200)

    const to = await emptyTarget()
    await restoreBackup({ from: dest, to, mediaDir: join(work, 'media-burst') })
    const restored = connect({ url: to })
    try {
      const ledger = (await restored.db.selectFrom('applied_record').select('id').where('kind', '=', 'study_event').where('status', '=', 'applied').execute()).map((r) => r.id).sort()
      const effects = (await restored.db.selectFrom('study_event').select('id').execute()).map((r) => r.id).sort()
      expect(effects).toEqual(ledger)
      // At least what was pushed before the backup started; no more than was pushed at all.
      expect(ledger.length).toBeGreaterThanOrEqual(30 + 20)
      expect(ledger.length).toBeLessThanOrEqual(30 + 20 + 15 * 20)
      const devices = await restored.db.selectFrom('sync_device').selectAll().execute()
      expect(devices).toHaveLength(1)
    } finally {
      await restored.db.destroy()
    }
  })
})

describe('backup of a SQLite file by another process', () => {
  it('copies the file in one read transaction while it stays writable', async () => {
    const dir = await tempDir('file')
    const file = join(dir, 'live.sqlite')
    const live = new SQLite(file)
    live.pragma('journal_mode = WAL')
    live.exec('create table kysely_migration (name text primary key, timestamp text); create table t (id integer primary key, v text)')
    live.prepare('insert into kysely_migration values (?, ?)').run('001_accounts', 'x')
    for (let i = 0; i < 500; i++) live.prepare('insert into t (v) values (?)').run('x'.repeat(200))
    const m = await createBackup({ dialect: 'sqlite', url: file }, { dest: join(dir, 'b'), mediaDir: join(dir, 'no-media') })
    live.prepare('insert into t (v) values (?)').run('after')
    expect(m.migrations).toEqual(['001_accounts'])
    const copy = new SQLite(join(dir, 'b', 'database.sqlite'), { readonly: true })
    expect(copy.prepare('select count(*) as n from t').get()).toEqual({ n: 500 })
    copy.close()
    live.close()
  })
})

describe('backup schedule in the server', () => {
  it('reads BACKUP_EVERY / BACKUP_KEEP / BACKUP_DIR and refuses values it cannot read', () => {
    expect(backupScheduleFromEnv({})).toBeUndefined()
    expect(backupScheduleFromEnv({ BACKUP_EVERY: '6h', BACKUP_DIR: '/var/backups/pps' })).toEqual({ dir: '/var/backups/pps', everyMs: 6 * 3_600_000, keep: 7 })
    expect(backupScheduleFromEnv({ BACKUP_EVERY: '30m', BACKUP_KEEP: '3', BACKUP_DIR: '/b' })).toEqual({ dir: '/b', everyMs: 1_800_000, keep: 3 })
    expect(() => backupScheduleFromEnv({ BACKUP_EVERY: 'daily' })).toThrow(/BACKUP_EVERY=daily: give a period such as 30m, 6h or 1d/)
    expect(() => backupScheduleFromEnv({ BACKUP_EVERY: '1d', BACKUP_KEEP: '0' })).toThrow(/BACKUP_KEEP=0/)
  })

  it('keeps the newest BACKUP_KEEP backups and clears what an interrupted one left', async () => {
    const db = await openTestDb('sqlite')
    const dir = await tempDir('schedule')
    await mkdir(join(dir, '.pps-sqlite-20200101T000000000Z.partial-dead'))
    const schedule = { dir, everyMs: 60_000, keep: 2 }
    const made = []
    for (let i = 0; i < 3; i++) {
      made.push(await runScheduledBackup({ dialect: 'sqlite', sqlite: db.sqlite }, schedule, join(dir, 'no-media')))
      await new Promise((r) => setTimeout(r, 5))
    }
    expect((await readdir(dir)).sort()).toEqual(made.slice(1).map((d) => d.slice(dir.length + 1)))
    await db.drop()
  })
})
