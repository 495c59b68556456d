/**
 * Study points 学习圈 ("15-minute learning circle"): places a member can walk to for study —
 * micro party schools, teaching points, education bases, field classrooms, Party-member
 * workstations — with the meetings held there that visitors may join. Shared by the server (TypeBox
 * schemas) and the PWA (`import type` only).
 *
 * Phones read points by area (a coarse grid cell around them, or a township), page by page, and
 * cache the area they last looked at for offline use; the position itself never leaves the phone
 * (see areaCell.ts). Supervisors manage the points of their subtree online.
 */
import { Type, type Static } from 'typebox'
import { LAT_CELLS, LNG_CELLS } from './areaCell.ts'

export const StudyPointTypeSchema = Type.Union([
  Type.Literal('micro_party_school'),
  Type.Literal('teaching_point'),
  Type.Literal('education_base'),
  Type.Literal('field_classroom'),
  Type.Literal('workstation'),
])
export type StudyPointType = Static<typeof StudyPointTypeSchema>

export const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'WGS-84 degrees' })
export const Longitude = Type.Number({ minimum: -180, maximum: 180, description: 'WGS-84 degrees' })

const fields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  type: StudyPointTypeSchema,
  address: Type.String({ minLength: 1, maxLength: 200 }),
  lat: Latitude,
  lng: Longitude,
  openingHours: Type.String({ minLength: 1, maxLength: 200 }),
  contactName: Type.String({ maxLength: 40 }),
  /** Digits, spaces, + and - only: the phone dials it with a tel: link. */
  contactPhone: Type.String({ maxLength: 20, pattern: '^[0-9+ -]*$' }),
  /** The unit that runs the point; the writer must be a supervisor over it. */
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
}

export const StudyPointInput = Type.Object(fields, { additionalProperties: false })
export type StudyPointInput = Static<typeof StudyPointInput>

export const StudyPointPatch = Type.Object(
  { ...Type.Partial(Type.Object(fields)).properties, retired: Type.Optional(Type.Boolean({ description: 'true retires the point, false brings it back' })) },
  { additionalProperties: false, minProperties: 1 },
)
export type StudyPointPatch = Static<typeof StudyPointPatch>

/** A meeting held at a point, open to visitors: no check-in code (a guest reads it at the meeting). */
export const OpenMeeting = Type.Object({
  id: Type.String(),
  /** A meeting type of src/protocol/attendance.ts. */
  type: Type.String(),
  topic: Type.String(),
  place: Type.String(),
  startsAt: Type.Integer(),
  endsAt: Type.Integer(),
  orgUnitName: Type.String(),
})
export type OpenMeeting = Static<typeof OpenMeeting>

export const StudyPoint = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: StudyPointTypeSchema,
  address: Type.String(),
  lat: Type.Number(),
  lng: Type.Number(),
  openingHours: Type.String(),
  contactName: Type.String(),
  contactPhone: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  retired: Type.Boolean(),
  updatedAt: Type.Integer(),
  /** Upcoming (and running) meetings open to visitors, soonest first, at most 5. */
  meetings: Type.Array(OpenMeeting),
})
export type StudyPoint = Static<typeof StudyPoint>

/**
 * No `lat`/`lng`: a query naming any parameter not listed here is refused (400 naming it), so
 * an old phone that still sends its position is told, not silently served.
 */
export const StudyPointsQuery = Type.Object(
  {
    /** A 0.1° grid cell (areaCell.ts): the points of it and its eight neighbours. */
    latCell: Type.Optional(Type.Integer({ minimum: LAT_CELLS.min, maximum: LAT_CELLS.max, description: 'floor(latitude × 10)' })),
    lngCell: Type.Optional(Type.Integer({ minimum: LNG_CELLS.min, maximum: LNG_CELLS.max, description: 'floor(longitude × 10)' })),
    orgUnitId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Supervisors of the unit only: also list retired points (to bring one back). */
    includeRetired: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 100 })),
  },
  { additionalProperties: false },
)
export type StudyPointsQuery = Static<typeof StudyPointsQuery>

/** A township to choose when the phone's location is unavailable, centred on its points. */
export const StudyPointArea = Type.Object({
  id: Type.String(),
  name: Type.String(),
  pointCount: Type.Integer(),
  lat: Type.Union([Type.Number(), Type.Null()]),
  lng: Type.Union([Type.Number(), Type.Null()]),
})
export type StudyPointArea = Static<typeof StudyPointArea>
