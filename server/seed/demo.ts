/**
 * The demo organisation: 1 district, 2 townships, 4 village branches, 10 party groups and
 * about 120 members with invented names. Fixed phone numbers for one account per role, so the
 * README can list them; everyone else gets a generated number. All demo passwords: demo1234.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { PRIVACY_NOTICE_VERSION, type OrgKind, type RoleName } from '../../src/protocol/auth.ts'
import type { Database, NewPerson } from '../db/database.ts'
import { DEFAULT_COST, hashPassword } from '../features/auth/password.ts'
import { applyDemoMemberGroups } from '../features/assignment/assignment.seed.ts'
import { refreshAllReportStats } from '../features/reports/reportStats.repository.ts'
import { seedStudyPoints } from './studyPoints.ts'
import { seedLecturers } from '../features/lecturers/lecturers.seed.ts'
import { seedPlans } from '../features/plans/plans.seed.ts'

export const DEMO_PASSWORD = 'demo1234'

export const DEMO_LOGINS = [
  { phone: '13800000001', role: 'member', label: '党员 member' },
  { phone: '13800000002', role: 'member', label: '流动党员 flowing member' },
  { phone: '13800000003', role: 'group_leader', label: '党小组长 group leader' },
  { phone: '13800000004', role: 'secretary', label: '支部书记 branch secretary' },
  { phone: '13800000005', role: 'supervisor', label: '乡镇督导 township supervisor' },
  { phone: '13800000006', role: 'admin', label: '区县管理员 district admin' },
  { phone: '13800000007', role: 'editor', label: '课件编辑 course editor (district)' },
] as const

const TREE = {
  name: '青禾县',
  townships: [
    { name: '柳溪镇', branches: [{ name: '桃园村党支部', groups: 3 }, { name: '石桥村党支部', groups: 2 }] },
    { name: '白沙乡', branches: [{ name: '河湾村党支部', groups: 3 }, { name: '竹林村党支部', groups: 2 }] },
  ],
}
const MEMBERS_PER_GROUP = 12
const GROUP_NAMES = ['第一党小组', '第二党小组', '第三党小组']
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢'
const GIVEN = '建国秀英春华志强桂兰玉梅永红德明淑珍海燕文军丽娟金凤振华国庆小平爱民学勤冬梅立新光辉慧敏长顺'

/** A small deterministic generator, so every fresh demo database has the same people. */
function* names(): Generator<string> {
  let x = 20261127
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    const s = SURNAMES[x % SURNAMES.length]!
    const g = (x >> 8) % (GIVEN.length / 2)
    yield s + GIVEN.slice(g * 2, g * 2 + 2)
  }
}

interface SeedOptions {
  /** scrypt cost; tests pass a cheap one. */
  passwordCost?: typeof DEFAULT_COST
  now?: number
}

export async function isSeeded(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('org_unit').select('id').limit(1).executeTakeFirst()) !== undefined
}

export async function seedDemo(db: Kysely<Database>, { passwordCost = DEFAULT_COST, now = Date.now() }: SeedOptions = {}) {
  const units: Database['org_unit'][] = []
  const people: NewPerson[] = []
  const roles: Database['role'][] = []
  const nameGen = names()
  let serial = 0
  const addUnit = (kind: OrgKind, name: string, parent?: Database['org_unit']) => {
    const id = randomUUID()
    const unit = { id, parent_id: parent?.id ?? null, kind, name, path: `${parent?.path ?? '/'}${id}/`, created_at: now }
    units.push(unit)
    return unit
  }
  const addPerson = (unit: Database['org_unit'], phone: string, flags: { flowing?: boolean; elderly?: boolean } = {}) => {
    const person: NewPerson = {
      id: randomUUID(),
      phone,
      name: nameGen.next().value,
      password_hash: '',
      org_unit_id: unit.id,
      is_flowing: flags.flowing ? 1 : 0,
      is_elderly: flags.elderly ? 1 : 0,
      status: 'active',
      created_at: now,
      // Demo people have read the notice, so demo sign-ins (and their e2e tests) go straight in.
      privacy_accepted_version: PRIVACY_NOTICE_VERSION,
      privacy_accepted_at: now,
    }
    people.push(person)
    return person
  }
  const grant = (person: NewPerson, unit: Database['org_unit'], role: RoleName) =>
    roles.push({ person_id: person.id, org_unit_id: unit.id, role })
  const nextPhone = () => `139${String(++serial).padStart(8, '0')}`

  const district = addUnit('district', TREE.name)
  grant(addPerson(district, '13800000006'), district, 'admin')
  TREE.townships.forEach((t, ti) => {
    const township = addUnit('township', t.name, district)
    grant(addPerson(township, ti === 0 ? '13800000005' : nextPhone()), township, 'supervisor')
    t.branches.forEach((b, bi) => {
      const branch = addUnit('branch', b.name, township)
      for (let gi = 0; gi < b.groups; gi++) {
        const group = addUnit('group', GROUP_NAMES[gi]!, branch)
        const first = ti === 0 && bi === 0 && gi === 0
        for (let mi = 0; mi < MEMBERS_PER_GROUP; mi++) {
          // The first group holds the fixed demo accounts: member, flowing member, leader, secretary.
          const phone = first && mi < 4 ? `1380000000${mi + 1}` : nextPhone()
          const person = addPerson(group, phone, {
            flowing: mi === 1 || mi % 7 === 5,
            elderly: mi === 10 || mi % 9 === 8,
          })
          grant(person, group, 'member')
          if (mi === 2) grant(person, group, 'group_leader')
          if (mi === 3 && gi === 0) grant(person, branch, 'secretary')
        }
      }
    })
  })

  // The district party school's course editor: writes in the studio; the admin or a supervisor
  // approves. Added last, so everyone seeded before keeps their name and place.
  grant(addPerson(district, '13800000007'), district, 'editor')

  applyDemoMemberGroups(people, roles, now)
  // Hash in parallel: scrypt runs on libuv's thread pool, so this uses every core.
  await Promise.all(people.map(async (p) => (p.password_hash = await hashPassword(DEMO_PASSWORD, passwordCost))))
  await db.transaction().execute(async (trx) => {
    for (const unit of units) await trx.insertInto('org_unit').values(unit).execute()
    await trx.insertInto('person').values(people).execute()
    await trx.insertInto('role').values(roles).execute()
  })
  await seedStudyPoints(db, { units, people, now })
  await seedLecturers(db, { units, people, now })
  await seedPlans(db, { units, people, now })
  // Reports read per-unit sums: every demo member and meeting counts from the first report on.
  await refreshAllReportStats(db, now)
  return { units, people, roles }
}
