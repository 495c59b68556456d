/** A small demo lecturer pool 师资库: two for the whole county, one for the first township. */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'

interface SeedInput {
  units: Database['org_unit'][]
  people: { id: string; phone: string }[]
  now: number
}

const DEMO_LECTURERS = [
  { name: '周文华', title: '县委党校 讲师', topics: ['党史', '党章党规'], contact: '0571-8800 1234', level: 'district' },
  { name: '林春燕', title: '县农业农村局 高级农艺师', topics: ['乡村振兴', '田间课堂'], contact: '13900001111', level: 'district' },
  { name: '钱国平', title: '柳溪镇 退休老支书', topics: ['基层党建', '三会一课'], contact: '13900002222', level: 'township' },
] as const

export async function seedLecturers(db: Kysely<Database>, { units, people, now }: SeedInput): Promise<void> {
  const district = units.find((u) => u.kind === 'district')!
  const township = units.find((u) => u.kind === 'township')!
  const admin = people.find((p) => p.phone === '13800000006')!
  await db
    .insertInto('lecturer')
    .values(
      DEMO_LECTURERS.map((l) => ({
        id: randomUUID(),
        name: l.name,
        title: l.title,
        topics: JSON.stringify(l.topics),
        contact: l.contact,
        org_unit_id: (l.level === 'district' ? district : township).id,
        retired_at: null,
        created_by: admin.id,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute()
}
