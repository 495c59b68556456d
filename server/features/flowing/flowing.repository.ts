/**
 * Flowing members' record cards 一卡: reads behind the routes and the lookups the two outbox
 * kinds share. Plain functions taking `db` first (the push batch passes its transaction).
 */
import type { Kysely } from 'kysely'
import type { FlowingRecord } from '../../../src/protocol/flowing.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import type { CheckinPerson, MeetingRow } from '../attendance/attendance.repository.ts'

/** Records by id with the member's current unit path (the unit whose leaders review them). */
export async function findFlowingRecords(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, { id: string; person_id: string; path: string; meeting_id: string | null; status: string; reviewed_by: string | null }>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('flowing_record')
    .innerJoin('person', 'person.id', 'flowing_record.person_id')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['flowing_record.id', 'flowing_record.person_id', 'org_unit.path', 'flowing_record.meeting_id', 'flowing_record.status', 'flowing_record.reviewed_by'])
    .where('flowing_record.id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

function baseQuery(db: Kysely<Database>) {
  return db
    .selectFrom('flowing_record')
    .innerJoin('person as member', 'member.id', 'flowing_record.person_id')
    .leftJoin('person as reviewer', 'reviewer.id', 'flowing_record.reviewed_by')
    .select([
      'flowing_record.id',
      'flowing_record.person_id',
      'member.name as person_name',
      'flowing_record.org_unit_id',
      'flowing_record.held_on',
      'flowing_record.place',
      'flowing_record.organisation',
      'flowing_record.content',
      'flowing_record.status',
      'flowing_record.reason',
      'reviewer.name as reviewed_by_name',
      'flowing_record.reviewed_at',
      'flowing_record.created_at',
      'flowing_record.meeting_id',
    ])
    .select((eb) => eb.case().when('flowing_record.photo', 'is not', null).then(1).else(0).end().as('has_photo'))
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['execute']>>[number]

function toRecord(r: Row): FlowingRecord {
  return {
    id: r.id,
    personId: r.person_id,
    personName: r.person_name,
    orgUnitId: r.org_unit_id,
    heldOn: Number(r.held_on),
    place: r.place,
    organisation: r.organisation,
    content: r.content,
    hasPhoto: Number(r.has_photo) === 1,
    status: r.status,
    reason: r.reason,
    reviewedByName: r.reviewed_by_name ?? null,
    reviewedAt: r.reviewed_at === null ? null : Number(r.reviewed_at),
    createdAt: Number(r.created_at),
    meetingId: r.meeting_id,
  }
}

/** A member's own records, newest first (the last 100: a card covers months, not years). */
export async function myFlowingRecords(db: Kysely<Database>, personId: string): Promise<FlowingRecord[]> {
  const rows = await baseQuery(db)
    .where('flowing_record.person_id', '=', personId)
    .orderBy('flowing_record.held_on', 'desc')
    .orderBy('flowing_record.id', 'desc')
    .limit(100)
    .execute()
  return rows.map(toRecord)
}

/** Records of members whose current unit lies in `path`'s subtree, oldest first (a queue to work through). */
export async function flowingRecordsInSubtree(
  db: Kysely<Database>,
  path: string,
  status: FlowingRecord['status'],
  limit = 100,
): Promise<FlowingRecord[]> {
  const rows = await baseQuery(db)
    .innerJoin('org_unit', 'org_unit.id', 'member.org_unit_id')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .where('flowing_record.status', '=', status)
    .orderBy('flowing_record.held_on', 'asc')
    .orderBy('flowing_record.id', 'asc')
    .limit(limit)
    .execute()
  return rows.map(toRecord)
}

/**
 * A flowing member checked in as a guest at another unit's meeting: their record card gets an
 * entry at once, filed under their home unit so their home leaders see it, with the check-in's
 * id. Confirmed when the QR code's token was the proof; with a typed 6-digit code (which a
 * guest may try against every meeting open in the country) it waits for the home leader.
 */
export async function creditGuestCheckin(
  db: Kysely<Database>,
  c: { id: string; device: string; createdAt: number },
  person: CheckinPerson,
  meeting: MeetingRow,
  confirmed: boolean,
  receivedAt: number,
): Promise<void> {
  const host = await db
    .selectFrom('org_unit as unit')
    .leftJoin('org_unit as parent', 'parent.id', 'unit.parent_id')
    .select(['unit.name', 'unit.kind', 'parent.name as parent_name'])
    .where('unit.id', '=', meeting.org_unit_id)
    .executeTakeFirstOrThrow()
  // "桃园村党支部 第一党小组": a group's own name says little far from home.
  const organisation = host.kind === 'group' && host.parent_name ? `${host.parent_name} ${host.name}` : host.name
  await db
    .insertInto('flowing_record')
    .values({
      id: c.id,
      person_id: person.id,
      org_unit_id: person.orgUnitId,
      held_on: Number(meeting.starts_at),
      place: meeting.place.slice(0, 200),
      organisation: organisation.slice(0, 200),
      content: meeting.topic,
      photo: null,
      status: confirmed ? 'confirmed' : 'pending',
      reason: null,
      reviewed_by: null,
      reviewed_at: confirmed ? receivedAt : null,
      device: c.device,
      created_at: c.createdAt,
      received_at: receivedAt,
      meeting_id: meeting.id,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}
