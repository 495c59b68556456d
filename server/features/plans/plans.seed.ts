/**
 * A demo annual study plan for the current year (China time): 青禾县 publishes a theme day every
 * month, a Party lecture every quarter and a course and a quiz for everyone, which every branch
 * inherits; 桃园村党支部 (the demo secretary's branch) adds three items of its own. Course, lesson
 * and quiz ids are real ids from content/, so the plan screen can name what an item refers to.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { PlanItemCreate } from '../../../src/protocol/plans.ts'
import type { Database } from '../../db/database.ts'
import { insertPlanItem } from './plans.repository.ts'

type SeedItem = Omit<PlanItemCreate, 'id' | 'orgUnitId' | 'year'>

/** One theme for each month's 主题党日, January first. */
const THEME_DAYS = [
  '新春走访慰问老党员、困难党员',
  '学习村规民约，议一议春耕安排',
  '义务植树，认领村口绿化带',
  '清明祭扫烈士墓，讲一段村里的红色往事',
  '党员帮收油菜，结对帮扶留守老人',
  '重温入党誓词，集中交纳党费',
  '庆祝建党，为“光荣在党五十年”老党员佩戴纪念章',
  '汛期巡堤，检查山塘水库隐患',
  '议一议村集体经济收益怎么用',
  '重阳节上门看望高龄党员',
  '秋收秸秆不焚烧，党员带头宣传',
  '年度组织生活会前谈心谈话',
]

const DISTRICT_ITEMS: SeedItem[] = [
  ...THEME_DAYS.map((title, i): SeedItem => ({ month: i + 1, kind: 'meeting', meetingType: 'theme_day', title: `主题党日：${title}` })),
  { month: 3, kind: 'meeting', meetingType: 'party_lecture', title: '一季度党课：党章里的党员义务', note: '支部书记主讲' },
  { month: 6, kind: 'meeting', meetingType: 'party_lecture', title: '二季度党课：身边的好党员', note: '可邀请县委党校讲师' },
  { month: 9, kind: 'meeting', meetingType: 'party_lecture', title: '三季度党课：乡村振兴怎么干', note: '结合本村产业讲' },
  { month: 12, kind: 'meeting', meetingType: 'party_lecture', title: '四季度党课：一年学习回头看' },
  { month: 2, kind: 'course', refId: 'three-meetings-one-lesson', title: '三会一课规范', note: '全体党员本月内学完' },
  { month: 4, kind: 'quiz', refId: 'quiz-constitution-basics', title: '党章基础知识测试', note: '80 分合格，可重做' },
]

const BRANCH_ITEMS: SeedItem[] = [
  { month: 3, kind: 'course', refId: 'field-class-farming-01', title: '测土配方施肥', note: '春耕前在村部田间课堂一起学' },
  { month: 5, kind: 'quiz', refId: 'quiz-anti-fraud', title: '反诈小测试', note: '请流动党员在手机上完成' },
  { month: 7, kind: 'meeting', meetingType: 'field_class', title: '田间课堂：桃树夏季修剪', note: '在三组桃园现场教学' },
]

export const DEMO_PLAN_BRANCH = '桃园村党支部'

interface SeedInput {
  units: Database['org_unit'][]
  people: { id: string; phone: string }[]
  now: number
}

/** The demo plan's items, as the district admin and the branch secretary would have added them. */
export async function seedPlans(db: Kysely<Database>, { units, people, now }: SeedInput): Promise<void> {
  // The plan year is China's calendar year, as the plan screen and reports read it.
  const year = new Date(now + 8 * 3_600_000).getUTCFullYear()
  const district = units.find((u) => u.kind === 'district')!
  const branch = units.find((u) => u.kind === 'branch' && u.name === DEMO_PLAN_BRANCH)!
  const admin = people.find((p) => p.phone === '13800000006')!
  const secretary = people.find((p) => p.phone === '13800000004')!
  const rows = [
    ...DISTRICT_ITEMS.map((item) => ({ item, orgUnitId: district.id, by: admin.id })),
    ...BRANCH_ITEMS.map((item) => ({ item, orgUnitId: branch.id, by: secretary.id })),
  ]
  await db.transaction().execute(async (trx) => {
    // One millisecond apart: a month lists a unit's items in the order they were added.
    for (const [i, { item, orgUnitId, by }] of rows.entries()) await insertPlanItem(trx, { ...item, id: randomUUID(), orgUnitId, year }, by, now + i)
  })
}

/** What the demo plan refers to, for a test that keeps it in step with content/. */
export const DEMO_PLAN_REFS = [...DISTRICT_ITEMS, ...BRANCH_ITEMS].flatMap((i) => (i.refId ? [{ kind: i.kind, refId: i.refId }] : []))
