/**
 * About 40 invented study points around the demo district 青禾县, and three meetings open to
 * visitors at points of 白沙乡 (one running now, so a flowing member from 柳溪镇 can try a guest
 * check-in at once). Names, addresses and coordinates are made up; the county seat sits at
 * DEMO_CENTRE and the points spread over about 15 km around it.
 */
import { randomUUID } from 'node:crypto'
import type { Insertable, Kysely } from 'kysely'
import type { Database, MeetingTable, NewPerson, StudyPointTable } from '../db/database.ts'

export const DEMO_CENTRE = { lat: 28.46, lng: 113.62 }

type Unit = Database['org_unit']
type PointType = StudyPointTable['type']

const KM_LAT = 1 / 111.32
const KM_LNG = 1 / (111.32 * Math.cos((DEMO_CENTRE.lat * Math.PI) / 180))

/** Places per township: [village or site, km east, km north of the county seat]. */
const PLACES: Record<string, [string, number, number][]> = {
  柳溪镇: [
    ['桃园村', -9.5, 4.2], ['石桥村', -7.1, 6.8], ['柳溪社区', -5.2, 2.1], ['青石村', -11.8, 1.4], ['杏花村', -8.3, -2.6],
    ['枫林村', -12.6, 7.9], ['南湾村', -4.1, -4.8], ['柳溪工业园', -3.0, 4.9], ['荷塘村', -13.9, -3.2], ['柿子坪村', -6.4, 10.2],
    ['双井村', -1.9, 8.3], ['柳溪中学旁', -4.6, 0.9], ['龙眼坡村', -10.2, -6.1], ['茶亭村', -14.7, 4.6], ['柳溪镇政府', -5.8, 3.0],
  ],
  白沙乡: [
    ['河湾村', 8.6, -3.9], ['竹林村', 6.2, -7.4], ['白沙社区', 4.9, -1.8], ['芦苇村', 11.4, -1.2], ['鹭洲村', 9.8, 2.7],
    ['沙洲村', 12.9, -6.3], ['东坪村', 3.6, -9.8], ['白沙茶场', 14.1, 1.9], ['莲花村', 7.4, -11.6], ['古渡村', 2.2, -5.5],
    ['白沙小学旁', 5.6, -2.4], ['梅岭村', 13.3, -9.9], ['新塘村', 10.5, 5.8], ['白沙乡政府', 4.2, -3.1], ['渔村', 15.2, -4.0],
  ],
}
const COUNTY_SITES: [string, number, number, PointType][] = [
  ['青禾县革命历史纪念馆', 0.4, 0.6, 'education_base'],
  ['青禾县委党校', -0.8, -0.3, 'teaching_point'],
  ['青禾县廉政教育基地', 1.6, 2.4, 'education_base'],
  ['县城东门社区', 2.1, -0.9, 'micro_party_school'],
  ['县城西街社区', -1.7, 1.1, 'workstation'],
  ['青禾县农业科技园', 1.1, -4.6, 'field_classroom'],
  ['青禾县新时代文明实践中心', -0.2, 1.9, 'teaching_point'],
  ['青禾高铁站', 3.4, 3.7, 'workstation'],
  ['滨江公园', -2.6, -2.2, 'micro_party_school'],
  ['县人民医院', 0.9, -1.4, 'workstation'],
]
const TYPE_CYCLE: PointType[] = ['micro_party_school', 'teaching_point', 'field_classroom', 'workstation', 'micro_party_school']
const SUFFIX: Record<PointType, string> = {
  micro_party_school: '微型党校',
  teaching_point: '党员教育教学点',
  education_base: '红色教育基地',
  field_classroom: '田间课堂',
  workstation: '党员工作站',
}
const HOURS = ['周一至周五 8:30–17:30', '每天 9:00–17:00（周一闭馆）', '周二、周四晚 19:00–21:00', '农闲时每周六 14:00–17:00', '全天开放']

export async function seedStudyPoints(
  db: Kysely<Database>,
  { units, people, now }: { units: Unit[]; people: NewPerson[]; now: number },
): Promise<void> {
  const district = units.find((u) => u.kind === 'district')!
  const points: StudyPointTable[] = []
  const creator = people.find((p) => p.org_unit_id === district.id)!.id
  const add = (name: string, type: PointType, address: string, east: number, north: number, unit: Unit, i: number) =>
    points.push({
      id: randomUUID(),
      name,
      type,
      address,
      lat_e6: Math.round((DEMO_CENTRE.lat + north * KM_LAT) * 1e6),
      lng_e6: Math.round((DEMO_CENTRE.lng + east * KM_LNG) * 1e6),
      opening_hours: HOURS[i % HOURS.length]!,
      contact_name: `${'王李张刘陈杨黄赵'[i % 8]}老师`,
      contact_phone: `0731-8${String(6200000 + i * 137).slice(0, 7)}`,
      org_unit_id: unit.id,
      org_path: unit.path,
      retired_at: null,
      created_by: creator,
      created_at: now,
      updated_at: now,
    })

  COUNTY_SITES.forEach(([site, east, north, type], i) =>
    add(type === 'education_base' || site.endsWith(SUFFIX[type]) ? site : site + SUFFIX[type], type, `青禾县城${site}`, east, north, district, i))
  for (const township of units.filter((u) => u.kind === 'township')) {
    const branches = units.filter((u) => u.parent_id === township.id)
    ;(PLACES[township.name] ?? []).forEach(([place, east, north], i) => {
      const type = TYPE_CYCLE[i % TYPE_CYCLE.length]!
      // Villages with a branch in the demo tree run their own points; the township runs the rest.
      const unit = branches.find((b) => b.name.startsWith(place)) ?? township
      const area = place.startsWith(township.name) ? place : township.name + place
      add(place + SUFFIX[type], type, `青禾县${area}${i % 2 ? '党员活动室' : '党群服务中心'}`, east, north, unit, i + 10)
    })
  }

  const meetings = openMeetings(units, people, points, now)
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('study_point').values(points).execute()
    if (meetings.length) await trx.insertInto('meeting').values(meetings).execute()
  })
}

/** Meetings of 白沙乡's first branch held at its points: one running now, two in the coming days. */
function openMeetings(units: Unit[], people: NewPerson[], points: StudyPointTable[], now: number): Insertable<MeetingTable>[] {
  const branch = units.find((u) => u.kind === 'branch' && u.name.startsWith('河湾村'))
  const host = branch && people.find((p) => units.find((u) => u.id === p.org_unit_id)?.parent_id === branch.id)
  if (!branch || !host) return []
  const at = (place: string) => points.find((p) => p.name.startsWith(place))!
  const hour = 60 * 60 * 1000
  const start = Math.floor(now / hour) * hour
  const plan: [StudyPointTable, string, string, number][] = [
    [at('河湾村'), 'party_lecture', '党课：学习新修订的《中国共产党纪律处分条例》', start - hour / 2],
    [at('白沙社区'), 'theme_day', '主题党日：走进田间课堂，学用新技术', start + 2 * 24 * hour + 9 * hour],
    [at('鹭洲村'), 'training', '流动党员返乡集中培训', start + 5 * 24 * hour + 14 * hour],
  ]
  return plan.map(([point, type, topic, startsAt], i) => ({
    id: randomUUID(),
    org_unit_id: branch.id,
    type,
    starts_at: startsAt,
    ends_at: startsAt + 2 * hour,
    place: point.name,
    topic,
    lesson_id: null,
    created_by: host.id,
    checkin_code: String(418230 + i * 111),
    device: 'seed',
    created_at: now,
    received_at: now,
    study_point_id: point.id,
  }))
}
