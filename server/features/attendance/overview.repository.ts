/**
 * The leaders' overview: meetings held, attendance rates and who has not attended lately, for one
 * unit's subtree. Every query is a range scan on `org_unit.path` joined through indexed keys;
 * per-unit and per-meeting sums are done in memory over at most one page (or one unit list).
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely'
import type { MeetingType } from '../../../src/protocol/attendance.ts'
import type { MeetingRate, MemberRate, UnitOverview } from '../../../src/protocol/attendanceOverview.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeCursor } from '../org/org.repository.ts'
import { encodeMeetingCursor, toMeeting } from './attendance.repository.ts'

const DAY = 24 * 60 * 60 * 1000
/** Months and years are China's (UTC+8, no daylight saving), whatever zone the server runs in. */
const CHINA_OFFSET = 8 * 60 * 60 * 1000
export const INACTIVE_AFTER_MS = 90 * DAY
const ATTENDED = ['present', 'checked_in', 'remote'] as const

export interface Periods {
  now: number
  monthStart: number
  yearStart: number
  /** Start of the "no attendance in the last 3 months" window. */
  inactiveSince: number
}

export function periods(now: number): Periods {
  const local = new Date(now + CHINA_OFFSET)
  return {
    now,
    monthStart: Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - CHINA_OFFSET,
    yearStart: Date.UTC(local.getUTCFullYear(), 0, 1) - CHINA_OFFSET,
    inactiveSince: now - INACTIVE_AFTER_MS,
  }
}

const rate = (attended: number, expected: number) => (expected > 0 ? Math.round((attended / expected) * 1000) / 1000 : null)

/**
 * Marks that are a person's current status in a meeting (the highest `seq` among marks filed
 * under the meeting's own unit) and count as attended. Guests count at home, not here.
 */
function currentAttended(db: Kysely<Database>) {
  return db
    .selectFrom('attendance_mark as m')
    .innerJoin('meeting as mt', (j) => j.onRef('mt.id', '=', 'm.meeting_id').onRef('mt.org_unit_id', '=', 'm.org_unit_id'))
    .where('m.status', 'in', ATTENDED)
    .where('m.guest', '=', 0)
    .where('m.seq', '=', (eb) =>
      eb
        .selectFrom('attendance_mark as m2')
        .select((e) => e.fn.max('m2.seq').as('latest'))
        .whereRef('m2.meeting_id', '=', 'm.meeting_id')
        .whereRef('m2.person_id', '=', 'm.person_id')
        .whereRef('m2.org_unit_id', '=', 'm.org_unit_id'),
    )
}

/** Active people of the subtree who attended nothing and have no confirmed record since `since`. */
function inactivePeople(db: Kysely<Database>, path: string, since: number) {
  return db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .where('person.status', '=', 'active')
    .where(({ not, exists }) =>
      not(exists(currentAttended(db).select('m.seq').where('m.person_id', '=', sql.ref<string>('person.id')).where('mt.starts_at', '>=', since))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('flowing_record as f')
            .select('f.id')
            .whereRef('f.person_id', '=', 'person.id')
            .where('f.status', '=', 'confirmed')
            .where('f.held_on', '>=', since),
        ),
      ),
    )
}

const inSubtree = (alias: 'u', path: string) => (eb: ExpressionBuilder<any, any>) =>
  eb.and([eb(`${alias}.path`, '>=', path), eb(`${alias}.path`, '<', subtreeEnd(path))])

/** Active people per unit of the subtree, summed up the tree: unit id → people in its subtree. */
async function peopleBySubtree(db: Kysely<Database>, path: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('person')
    .innerJoin('org_unit as u', 'u.id', 'person.org_unit_id')
    .select(['u.path', (eb) => eb.fn.countAll<number>().as('n')])
    .where(inSubtree('u', path))
    .where('person.status', '=', 'active')
    .groupBy('u.path')
    .execute()
  const total = new Map<string, number>()
  for (const r of rows) {
    for (const id of r.path.split('/').filter(Boolean)) total.set(id, (total.get(id) ?? 0) + Number(r.n))
  }
  return total
}

/** The numbers of one unit's whole subtree. */
export async function unitOverview(
  db: Kysely<Database>,
  unit: { id: string; name: string; kind: string; path: string },
  p: Periods,
): Promise<UnitOverview> {
  const { path } = unit
  const [byTypeUnit, attended, people, inactive, flowing] = await Promise.all([
    db
      .selectFrom('meeting as mt')
      .innerJoin('org_unit as u', 'u.id', 'mt.org_unit_id')
      .select(['mt.type', 'mt.org_unit_id'])
      .select((eb) => [
        eb.fn.countAll<number>().as('year'),
        eb.fn.sum<number>(eb.case().when('mt.starts_at', '>=', p.monthStart).then(1).else(0).end()).as('month'),
      ])
      .where(inSubtree('u', path))
      .where('mt.starts_at', '>=', p.yearStart)
      .where('mt.starts_at', '<=', p.now)
      .groupBy(['mt.type', 'mt.org_unit_id'])
      .execute(),
    currentAttended(db)
      .innerJoin('org_unit as u', 'u.id', 'mt.org_unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(inSubtree('u', path))
      .where('mt.starts_at', '>=', p.yearStart)
      .where('mt.starts_at', '<=', p.now)
      .executeTakeFirstOrThrow(),
    peopleBySubtree(db, path),
    inactivePeople(db, path, p.inactiveSince).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('flowing_record as f')
      .innerJoin('person', 'person.id', 'f.person_id')
      .innerJoin('org_unit as u', 'u.id', 'person.org_unit_id')
      .select((eb) => [
        eb.fn.sum<number>(eb.case().when('f.status', '=', 'pending').then(1).else(0).end()).as('pending'),
        eb.fn
          .sum<number>(eb.case().when(eb.and([eb('f.status', '=', 'confirmed'), eb('f.held_on', '>=', p.yearStart)])).then(1).else(0).end())
          .as('credited'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb('f.status', '=', 'confirmed'), eb('f.held_on', '>=', p.yearStart), eb('f.meeting_id', 'is not', null)]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('guests'),
      ])
      .where(inSubtree('u', path))
      .where((eb) => eb.or([eb('f.status', '=', 'pending'), eb('f.held_on', '>=', p.yearStart)]))
      .executeTakeFirstOrThrow(),
  ])
  const types = new Map<MeetingType, { month: number; year: number }>()
  let expected = 0
  for (const r of byTypeUnit) {
    const t = types.get(r.type as MeetingType) ?? { month: 0, year: 0 }
    t.month += Number(r.month)
    t.year += Number(r.year)
    types.set(r.type as MeetingType, t)
    expected += Number(r.year) * (people.get(r.org_unit_id) ?? 0)
  }
  const meetings = [...types].map(([type, c]) => ({ type, ...c })).sort((a, b) => b.year - a.year || a.type.localeCompare(b.type))
  return {
    orgUnitId: unit.id,
    name: unit.name,
    kind: unit.kind,
    meetings,
    meetingsMonth: meetings.reduce((s, m) => s + m.month, 0),
    meetingsYear: meetings.reduce((s, m) => s + m.year, 0),
    attendanceRate: rate(Number(attended.n), expected),
    members: people.get(unit.id) ?? 0,
    inactiveMembers: Number(inactive.n),
    pendingFlowing: Number(flowing.pending ?? 0),
    creditedYear: Number(flowing.credited ?? 0),
    guestCheckinsYear: Number(flowing.guests ?? 0),
  }
}

/** One page of the unit's direct children (by name), each with its subtree's numbers. */
export async function childOverviews(db: Kysely<Database>, parentId: string, p: Periods, limit: number, after?: [string, string]) {
  let query = db
    .selectFrom('org_unit')
    .select(['id', 'name', 'kind', 'path'])
    .where('parent_id', '=', parentId)
    .orderBy('name')
    .orderBy('id')
    .limit(limit + 1)
  if (after) query = query.where((eb) => eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]))
  const rows = await query.execute()
  const page = rows.slice(0, limit)
  const items = await Promise.all(page.map((u) => unitOverview(db, u, p)))
  const last = page.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor(last.name, last.id) : null }
}

/** One page of the subtree's meetings held so far, newest first, each with its attendance. */
export async function meetingRates(db: Kysely<Database>, path: string, p: Periods, limit: number, after?: [number, string]) {
  let query = db
    .selectFrom('meeting as mt')
    .innerJoin('org_unit as u', 'u.id', 'mt.org_unit_id')
    .selectAll('mt')
    .select(['u.path', 'u.name as unit_name'])
    .where(inSubtree('u', path))
    .where('mt.starts_at', '<=', p.now)
    .orderBy('mt.starts_at', 'desc')
    .orderBy('mt.id', 'desc')
    .limit(limit + 1)
  if (after) {
    const [startsAt, id] = after
    query = query.where((eb) => eb.or([eb('mt.starts_at', '<', startsAt), eb.and([eb('mt.starts_at', '=', startsAt), eb('mt.id', '<', id)])]))
  }
  const rows = await query.execute()
  const page = rows.slice(0, limit)
  const ids = page.map((m) => m.id)
  const [attended, guests, rosters] = await Promise.all([
    ids.length
      ? currentAttended(db).select(['m.meeting_id', (eb) => eb.fn.countAll<number>().as('n')]).where('m.meeting_id', 'in', ids).groupBy('m.meeting_id').execute()
      : [],
    ids.length
      ? db
          .selectFrom('attendance_mark')
          .select(['meeting_id', (eb) => eb.fn.count<number>('person_id').distinct().as('n')])
          .where('meeting_id', 'in', ids)
          .where('guest', '=', 1)
          .groupBy('meeting_id')
          .execute()
      : [],
    // One range count per distinct unit on the page (a page holds a few groups' meetings).
    Promise.all(
      [...new Set(page.map((m) => m.path))].map(async (unitPath) => {
        const r = await db
          .selectFrom('person')
          .innerJoin('org_unit as u', 'u.id', 'person.org_unit_id')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(inSubtree('u', unitPath))
          .where('person.status', '=', 'active')
          .executeTakeFirstOrThrow()
        return [unitPath, Number(r.n)] as const
      }),
    ),
  ])
  const attendedBy = new Map(attended.map((r) => [r.meeting_id, Number(r.n)]))
  const guestsBy = new Map(guests.map((r) => [r.meeting_id, Number(r.n)]))
  const rosterBy = new Map(rosters)
  const items: MeetingRate[] = page.map((m) => {
    const expected = rosterBy.get(m.path) ?? 0
    const n = attendedBy.get(m.id) ?? 0
    return { meeting: toMeeting(m, false), orgUnitName: m.unit_name, attended: n, expected, guests: guestsBy.get(m.id) ?? 0, rate: rate(n, expected) }
  })
  const last = page.at(-1)
  return { items, next: rows.length > limit && last ? encodeMeetingCursor(Number(last.starts_at), last.id) : null }
}

/**
 * One page of the subtree's active members by name (or only those with no attendance in the last
 * 90 days), each with this year's meetings of their units, how many they attended, their
 * confirmed record-card entries and when they last attended.
 */
export async function memberRates(
  db: Kysely<Database>,
  path: string,
  p: Periods,
  limit: number,
  opts: { inactive?: boolean; after?: [string, string] },
) {
  let query = (opts.inactive ? inactivePeople(db, path, p.inactiveSince) : db.selectFrom('person').innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id').where('org_unit.path', '>=', path).where('org_unit.path', '<', subtreeEnd(path)).where('person.status', '=', 'active'))
    .select(['person.id', 'person.name', 'person.org_unit_id', 'person.is_flowing', 'person.is_elderly', 'org_unit.path'])
    .orderBy('person.name')
    .orderBy('person.id')
    .limit(limit + 1)
  const after = opts.after
  if (after) query = query.where((eb) => eb.or([eb('person.name', '>', after[0]), eb.and([eb('person.name', '=', after[0]), eb('person.id', '>', after[1])])]))
  const rows = await query.execute()
  const page = rows.slice(0, limit)
  const ids = page.map((r) => r.id)
  const since = Math.min(p.yearStart, p.inactiveSince)
  const [marks, records, expectedByPath] = await Promise.all([
    ids.length
      ? currentAttended(db).select(['m.person_id', 'mt.starts_at']).where('m.person_id', 'in', ids).where('mt.starts_at', '>=', since).where('mt.starts_at', '<=', p.now).execute()
      : [],
    ids.length
      ? db.selectFrom('flowing_record').select(['person_id', 'held_on']).where('person_id', 'in', ids).where('status', '=', 'confirmed').where('held_on', '>=', since).execute()
      : [],
    // Members of one group share their units above: one count per distinct unit on the page.
    Promise.all(
      [...new Set(page.map((r) => r.path))].map(async (unitPath) => {
        const r = await db
          .selectFrom('meeting')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_unit_id', 'in', unitPath.split('/').filter(Boolean))
          .where('starts_at', '>=', p.yearStart)
          .where('starts_at', '<=', p.now)
          .executeTakeFirstOrThrow()
        return [unitPath, Number(r.n)] as const
      }),
    ),
  ])
  const expectedBy = new Map(expectedByPath)
  const items: MemberRate[] = page.map((r) => {
    const mine = marks.filter((m) => m.person_id === r.id).map((m) => Number(m.starts_at))
    const card = records.filter((f) => f.person_id === r.id).map((f) => Number(f.held_on))
    const expected = expectedBy.get(r.path) ?? 0
    const attended = mine.filter((t) => t >= p.yearStart).length
    const last = Math.max(...mine, ...card)
    return {
      personId: r.id,
      name: r.name,
      orgUnitId: r.org_unit_id,
      isFlowing: r.is_flowing === 1,
      isElderly: r.is_elderly === 1,
      expected,
      attended,
      rate: rate(attended, expected),
      credited: card.filter((t) => t >= p.yearStart).length,
      lastAttendedAt: Number.isFinite(last) ? last : null,
    }
  })
  const last = page.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor(last.name, last.id) : null }
}
