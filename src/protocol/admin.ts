/**
 * People and organisation administration (issue 8): org tree, people, roles, CSV import of
 * members, lecturer pool 师资库 and the audit log. Desktop screens for secretaries and supervisors.
 */
import { Type, type Static } from 'typebox'
import { OrgKind, Phone, RoleName } from './auth.ts'
import { EpochMs } from './common.ts'
import { NAME_MAX, NAME_PATTERN } from './names.ts'
import { Occupation } from './survey.ts'

const Name = Type.String({ minLength: 1, maxLength: NAME_MAX, pattern: NAME_PATTERN, description: 'readable text: see src/protocol/names.ts' })

export const AdminUnit = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  kind: OrgKind,
  name: Type.String(),
  retired: Type.Boolean(),
  /** people whose own unit this is (not the whole subtree) */
  memberCount: Type.Integer(),
  childCount: Type.Integer(),
})
export type AdminUnit = Static<typeof AdminUnit>

export const UnitView = Type.Object({
  unit: AdminUnit,
  /** root first, excluding the unit itself */
  ancestors: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  children: Type.Array(AdminUnit),
  /** the next page of children; null when all are listed */
  nextChildren: Type.Union([Type.String(), Type.Null()]),
})
export type UnitView = Static<typeof UnitView>

export const NewUnit = Type.Object({ parentId: Type.String({ minLength: 1, maxLength: 64 }), name: Name }, { additionalProperties: false })
export type NewUnit = Static<typeof NewUnit>
export const RenameUnit = Type.Object({ name: Name }, { additionalProperties: false })
export const MoveUnit = Type.Object({ parentId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

export const PersonStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive')])
export type PersonStatus = Static<typeof PersonStatus>

const personFields = {
  id: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  /** branch committee member (migration 007) */
  isCommittee: Type.Boolean(),
  /** joined the Party, epoch ms (migration 007) */
  joinedPartyAt: Type.Union([Type.Integer(), Type.Null()]),
  /** occupation category, for the splits of training-needs surveys (migration 037) */
  occupation: Type.Union([Occupation, Type.Null()]),
  /** year of birth, for the age-band split (migration 037) */
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  status: PersonStatus,
  /** A deletion request erased their personal fields (final: no edit, no reactivation). */
  erased: Type.Boolean(),
}
export const AdminPerson = Type.Object(personFields)
export type AdminPerson = Static<typeof AdminPerson>

export const PersonRole = Type.Object({ role: RoleName, orgUnitId: Type.String(), orgUnitName: Type.String(), orgKind: OrgKind })
export type PersonRole = Static<typeof PersonRole>

export const PersonDetail = Type.Object({ ...personFields, roles: Type.Array(PersonRole) })
export type PersonDetail = Static<typeof PersonDetail>

export const PeopleQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 40, description: 'name prefix, or phone prefix when digits' })),
  status: Type.Optional(PersonStatus),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type PeopleQuery = Static<typeof PeopleQuery>

export const NewPersonBody = Type.Object(
  {
    name: Name,
    phone: Phone,
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    isFlowing: Type.Optional(Type.Boolean()),
    isElderly: Type.Optional(Type.Boolean()),
    isCommittee: Type.Optional(Type.Boolean()),
    joinedPartyAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  },
  { additionalProperties: false },
)
export type NewPersonBody = Static<typeof NewPersonBody>

export const PersonPatch = Type.Object(
  {
    name: Type.Optional(Name),
    phone: Type.Optional(Phone),
    isFlowing: Type.Optional(Type.Boolean()),
    isElderly: Type.Optional(Type.Boolean()),
    isCommittee: Type.Optional(Type.Boolean()),
    joinedPartyAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    occupation: Type.Optional(Type.Union([Occupation, Type.Null()])),
    birthYear: Type.Optional(Type.Union([Type.Integer({ minimum: 1900, maximum: 2100 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PersonPatch = Static<typeof PersonPatch>

export const MovePerson = Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

/** Roles granted here; `member` comes with membership and `admin` is not handed out in the app. */
export const GrantableRole = Type.Union([Type.Literal('group_leader'), Type.Literal('secretary'), Type.Literal('supervisor'), Type.Literal('editor')])
export type GrantableRole = Static<typeof GrantableRole>
export const RoleChange = Type.Object(
  { role: GrantableRole, orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
)
export type RoleChange = Static<typeof RoleChange>

/** A new account's one-time password: shown once to the leader, never stored readable. */
export const OneTimePassword = Type.Object({ personId: Type.String(), name: Type.String(), phone: Type.String(), password: Type.String() })
export type OneTimePassword = Static<typeof OneTimePassword>

export const CreatedPerson = Type.Object({ person: AdminPerson, password: Type.String() })

/** The CSV text (UTF-8, with or without BOM); columns in server/features/admin/memberImport.ts. */
export const ImportBody = Type.Object(
  { csv: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
)
export type ImportBody = Static<typeof ImportBody>

export const ImportRowError = Type.Object({
  /** row in the file as a spreadsheet numbers it: the header is row 1 */
  row: Type.Integer(),
  code: Type.String({ description: 'MISSING_NAME, BAD_PHONE, DUPLICATE_PHONE_IN_FILE, PHONE_EXISTS, UNKNOWN_GROUP, AMBIGUOUS_GROUP, GROUP_OUTSIDE, GROUP_RETIRED, BAD_FLAG, BAD_DATE, NAME_TOO_LONG, BAD_NAME' }),
  column: Type.String(),
  value: Type.String(),
})
export type ImportRowError = Static<typeof ImportRowError>

export const ImportCheck = Type.Object({
  rows: Type.Integer(),
  errors: Type.Array(ImportRowError),
  /** a few resolved rows, so the leader sees the columns were read as meant */
  preview: Type.Array(Type.Object({ row: Type.Integer(), name: Type.String(), phone: Type.String(), group: Type.String() })),
})
export type ImportCheck = Static<typeof ImportCheck>

/** Lines of the streamed real import (application/x-ndjson). */
export type ImportEvent =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; created: OneTimePassword[] }
  | { type: 'failed'; code: string; message: string }

export const Lecturer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  topics: Type.Array(Type.String()),
  contact: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  retired: Type.Boolean(),
  /** whether the viewer may edit it (a supervisor over its unit) */
  canManage: Type.Boolean(),
  /** Members' rating of the lecturer after meetings (1–5, no raters named); absent when none yet. */
  rating: Type.Optional(Type.Object({ count: Type.Integer(), mean: Type.Number() })),
})
export type Lecturer = Static<typeof Lecturer>

const Topics = Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 20 })
export const LecturerBody = Type.Object(
  {
    name: Name,
    title: Type.String({ maxLength: 100 }),
    topics: Topics,
    contact: Type.String({ maxLength: 100 }),
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
)
export type LecturerBody = Static<typeof LecturerBody>
export const LecturerPatch = Type.Object(
  {
    name: Type.Optional(Name),
    title: Type.Optional(Type.String({ maxLength: 100 })),
    topics: Type.Optional(Topics),
    contact: Type.Optional(Type.String({ maxLength: 100 })),
    retired: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type LecturerPatch = Static<typeof LecturerPatch>

export const LecturerQuery = Type.Object({
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const RequestStatus = Type.Union([Type.Literal('requested'), Type.Literal('accepted'), Type.Literal('declined')])
export type RequestStatus = Static<typeof RequestStatus>

export const LecturerRequestBody = Type.Object(
  {
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    meetingAt: EpochMs(),
    topic: Type.String({ minLength: 1, maxLength: 100 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type LecturerRequestBody = Static<typeof LecturerRequestBody>

export const LecturerRequest = Type.Object({
  id: Type.String(),
  lecturerId: Type.String(),
  lecturerName: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  meetingAt: Type.Integer(),
  topic: Type.String(),
  note: Type.String(),
  status: RequestStatus,
  answer: Type.Union([Type.String(), Type.Null()]),
  requestedByName: Type.String(),
  createdAt: Type.Integer(),
  /** whether the viewer may accept or decline it */
  canDecide: Type.Boolean(),
})
export type LecturerRequest = Static<typeof LecturerRequest>

export const RequestsQuery = Type.Object({
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  /** incoming: requests for lecturers of this subtree (supervisors); outgoing: made by its branches */
  side: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')]),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const Decision = Type.Object(
  { status: Type.Union([Type.Literal('accepted'), Type.Literal('declined')]), answer: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
)
export type Decision = Static<typeof Decision>

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.Integer(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.String(),
  detail: Type.String({ description: 'JSON' }),
  device: Type.String(),
})
export type AuditEntry = Static<typeof AuditEntry>

export const AuditQuery = Type.Object({
  actorId: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 60 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type AuditQuery = Static<typeof AuditQuery>
