/**
 * Flowing members' record cards 一卡: reads behind the routes and the lookups the two outbox
 * kinds share. Plain functions taking `db` first (the push batch passes its transaction).
 */
import type { Kysely } from 'kysely'
import type { FlowingRecord, FlowingReview } from '../../../src/protocol/flowing.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import type { CheckinPerson, MeetingRow } from '../attendance/attendance.repository.ts'
import type { CurrentVersion } from '../sync/basedOn.ts'

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

/** Each card's review in force and what every review of it was based on, for the conflict rule. */
export async function reviewStates(
  db: Kysely<Database>,
  recordIds: string[],
): Promise<Map<string, { current?: CurrentVersion; basedOnOf: Map<string, string | null> }>> {
  const ids = [...new Set(recordIds)]
  const [cards, reviews] = await Promise.all([
    db.selectFrom('flowing_record').select(['id', 'review_id', 'reviewed_by']).where('id', 'in', ids).execute(),
    db.selectFrom('flowing_record_review').select(['id', 'record_id', 'based_on']).where('record_id', 'in', ids).execute(),
  ])
  const states = new Map(
    cards.map((c) => [c.id, { current: c.review_id && c.reviewed_by ? { id: c.review_id, author: c.reviewed_by } : undefined, basedOnOf: new Map<string, string | null>() }]),
  )
  for (const r of reviews) states.get(r.record_id)?.basedOnOf.set(r.id, r.based_on)
  return states
}

/** The review history of these cards, each in arrival order, with who overruled the ones not applied. */
async function reviewHistory(db: Kysely<Database>, recordIds: string[]): Promise<Map<string, FlowingReview[]>> {
  const byRecord = new Map<string, FlowingReview[]>()
  if (recordIds.length === 0) return byRecord
  const rows = await db
    .selectFrom('flowing_record_review as r')
    .innerJoin('person', 'person.id', 'r.reviewed_by')
    .select(['r.id', 'r.record_id', 'r.decision', 'r.reason', 'r.based_on', 'r.overruled_by', 'r.created_at', 'r.received_at', 'person.name'])
    .where('r.record_id', 'in', recordIds)
    .orderBy('r.seq')
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  const at = (r: { created_at: number; received_at: number }) => Math.min(Number(r.created_at), Number(r.received_at))
  for (const r of rows) {
    const winner = r.overruled_by ? byId.get(r.overruled_by) : undefined
    const list = byRecord.get(r.record_id) ?? []
    list.push({
      id: r.id,
      decision: r.decision,
      reason: r.reason,
      reviewedByName: r.name,
      at: at(r),
      basedOn: r.based_on,
      overruledBy: winner ? { name: winner.name, decision: winner.decision, at: at(winner) } : null,
    })
    byRecord.set(r.record_id, list)
  }
  return byRecord
}

/** Cards as the API answers them: with their review history (one query for the whole page). */
async function withReviews(db: Kysely<Database>, rows: Row[]): Promise<FlowingRecord[]> {
  const history = await reviewHistory(db, rows.map((r) => r.id))
  return rows.map((r) => ({ ...toRecord(r), reviews: history.get(r.id) ?? [] }))
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
      'flowing_record.review_id',
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
    reviewId: r.review_id,
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
  return withReviews(db, rows)
}

/** Records of members whose current unit lies in `path`'s subtree (leaders see them by subtree). */
function subtreeQuery(db: Kysely<Database>, path: string) {
  return baseQuery(db)
    .innerJoin('org_unit', 'org_unit.id', 'member.org_unit_id')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
}

/** Records of members whose current unit lies in `path`'s subtree, oldest first (a queue to work through). */
export async function flowingRecordsInSubtree(
  db: Kysely<Database>,
  path: string,
  status: FlowingRecord['status'],
  limit = 100,
): Promise<FlowingRecord[]> {
  const rows = await subtreeQuery(db, path)
    .where('flowing_record.status', '=', status)
    .orderBy('flowing_record.held_on', 'asc')
    .orderBy('flowing_record.id', 'asc')
    .limit(limit)
    .execute()
  return withReviews(db, rows)
}

/**
 * The newest reviewed cards of members in `path`'s subtree, each with its review history: where a
 * leader sees that a review of theirs was overruled (已被更正). Guest check-ins are never reviewed.
 */
export async function recentlyReviewedInSubtree(db: Kysely<Database>, path: string, limit = 30): Promise<FlowingRecord[]> {
  const rows = await subtreeQuery(db, path)
    .where('flowing_record.status', '!=', 'pending')
    .where('flowing_record.meeting_id', 'is', null)
    .orderBy('flowing_record.reviewed_at', 'desc')
    .orderBy('flowing_record.id', 'desc')
    .limit(limit)
    .execute()
  return withReviews(db, rows)
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
