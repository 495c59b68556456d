import { Type, type Static } from 'typebox'
import { OrgKind } from './auth.ts'

export const OrgUnit = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  kind: OrgKind,
  name: Type.String(),
})
export type OrgUnit = Static<typeof OrgUnit>

export const OrgUnitWithChildren = Type.Object({ unit: OrgUnit, children: Type.Array(OrgUnit) })
export type OrgUnitWithChildren = Static<typeof OrgUnitWithChildren>

export const Member = Type.Object({
  id: Type.String(),
  name: Type.String(),
  orgUnitId: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
})
export type Member = Static<typeof Member>

export const MemberFlagsPatch = Type.Object(
  { isFlowing: Type.Optional(Type.Boolean()), isElderly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)
export type MemberFlagsPatch = Static<typeof MemberFlagsPatch>
