/**
 * Backups taken by the server itself (BACKUP_EVERY, BACKUP_DIR, BACKUP_KEEP). They never block
 * requests: SQLite's backup copies a few pages per turn of the event loop, pg_dump runs as a
 * separate process. With several instances on one PostgreSQL, set BACKUP_EVERY on one only.
 */
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { backupName, createBackup, type BackupSource } from './backup.ts'

export interface BackupSchedule {
  dir: string
  everyMs: number
  /** How many backups to keep; older ones are removed after each new one. */
  keep: number
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** Undefined when BACKUP_EVERY is unset; throws on a value it cannot read, so the server stops at start. */
export function backupScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): BackupSchedule | undefined {
  if (!env.BACKUP_EVERY) return undefined
  const every = /^(\d+)(m|h|d)$/.exec(env.BACKUP_EVERY)
  if (!every || Number(every[1]) < 1) throw new Error(`BACKUP_EVERY=${env.BACKUP_EVERY}: give a period such as 30m, 6h or 1d`)
  const keep = Number(env.BACKUP_KEEP ?? 7)
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`BACKUP_KEEP=${env.BACKUP_KEEP}: give how many backups to keep (1 or more)`)
  return { dir: resolve(env.BACKUP_DIR ?? 'backups'), everyMs: Number(every[1]) * UNIT_MS[every[2] as keyof typeof UNIT_MS], keep }
}

/** One scheduled backup, then the oldest beyond `keep` (and leftovers of interrupted ones) go. */
export async function runScheduledBackup(source: BackupSource, schedule: BackupSchedule, mediaDir: string, uploadsDir?: string): Promise<string> {
  const prefix = `pps-${source.dialect}-`
  // Leftovers of a backup cut short by a crash: nothing else writes in this directory.
  for (const name of await readdir(schedule.dir).catch(() => [])) {
    if (name.startsWith(`.${prefix}`) && name.includes('.partial-')) await rm(join(schedule.dir, name), { recursive: true, force: true })
  }
  await mkdir(schedule.dir, { recursive: true })
  const dest = join(schedule.dir, backupName(source.dialect))
  await createBackup(source, { dest, mediaDir, uploadsDir })
  const all = (await readdir(schedule.dir)).filter((n) => n.startsWith(prefix)).sort()
  for (const old of all.slice(0, Math.max(0, all.length - schedule.keep))) await rm(join(schedule.dir, old), { recursive: true, force: true })
  return dest
}

export function startBackupSchedule(source: BackupSource, schedule: BackupSchedule, mediaDir: string, log: FastifyBaseLogger, uploadsDir?: string): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    const started = Date.now()
    runScheduledBackup(source, schedule, mediaDir, uploadsDir)
      .then(
        (dest) => log.info({ backup: dest, ms: Date.now() - started }, 'scheduled backup written'),
        (err: unknown) => log.error({ err }, 'scheduled backup failed'),
      )
      .finally(() => (running = false))
  }, schedule.everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
