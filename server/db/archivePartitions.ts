/**
 * `npm run db:archive-partitions -- --before YYYY-MM` (PostgreSQL, DATABASE_URL): detaches the
 * event tables' monthly partitions of months before YYYY-MM, so they leave the live tables and
 * can be dumped and dropped (docs/scaling.md, "Archiving"). The detached tables stay in the
 * schema, unchanged, until someone drops them; `ALTER TABLE … ATTACH PARTITION` brings one back.
 *
 * Not the ledger: its partitions go only by the retention rule (ledgerRetention.ts), which keeps
 * exactly-once true. Summaries built from the events keep their figures; a full rebuild after
 * archiving counts only what is still attached (docs/scaling.md says so).
 */
import { sql, type Kysely } from 'kysely'
import { connect } from './connect.ts'
import { monthStart, PARTITIONED, partitionMonth, partitionsOf } from './partitions.ts'

export async function archivePartitions(db: Kysely<any>, before: number, now = Date.now()): Promise<string[]> {
  if (before > monthStart(now)) throw new Error('only months before this one can be archived')
  const detached: string[] = []
  for (const { table } of PARTITIONED) {
    if (table === 'applied_record') continue
    for (const name of (await partitionsOf(db, table)).sort()) {
      const month = partitionMonth(name)
      if (month === undefined || month >= before) continue
      await sql`alter table ${sql.table(table)} detach partition ${sql.table(name)}`.execute(db)
      detached.push(name)
    }
  }
  return detached
}

/** "2025-01" → the UTC start of that month, or undefined. */
export function parseMonth(text: string | undefined): number | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text ?? '')
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)
}

async function main(argv: string[]): Promise<void> {
  const before = parseMonth(argv[argv.indexOf('--before') + 1])
  const url = process.env.DATABASE_URL ?? ''
  if (!argv.includes('--before') || before === undefined) throw new Error('usage: npm run db:archive-partitions -- --before YYYY-MM')
  if (!url.startsWith('postgres')) throw new Error('DATABASE_URL must name a PostgreSQL database (SQLite keeps one table each)')
  const { db } = connect({ url })
  try {
    const detached = await archivePartitions(db, before)
    if (detached.length === 0) console.log('Nothing to archive before that month.')
    for (const name of detached) console.log(`detached ${name}: pg_dump --table=${name} "$DATABASE_URL" > ${name}.sql && psql "$DATABASE_URL" -c 'drop table ${name}'`)
  } finally {
    await db.destroy()
  }
}

if (process.argv[1]?.endsWith('archivePartitions.ts')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
