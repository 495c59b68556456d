import { Type, type Static } from 'typebox'

/** Mainland mobile numbers: 11 digits starting with 1. */
export const Phone = Type.String({ pattern: '^1[3-9][0-9]{9}$', description: '11-digit mobile number' })

export const RoleName = Type.Union([
  Type.Literal('member'),
  Type.Literal('group_leader'),
  Type.Literal('secretary'),
  Type.Literal('supervisor'),
  Type.Literal('admin'),
])
export type RoleName = Static<typeof RoleName>

/** Each role can do everything the roles below it can (server authz and client menus agree). */
export const ROLE_RANK: Record<RoleName, number> = { member: 0, group_leader: 1, secretary: 2, supervisor: 3, admin: 4 }

export const OrgKind = Type.Union([
  Type.Literal('district'),
  Type.Literal('township'),
  Type.Literal('branch'),
  Type.Literal('group'),
])
export type OrgKind = Static<typeof OrgKind>

export const LoginBody = Type.Object(
  {
    phone: Phone,
    password: Type.String({ minLength: 1, maxLength: 200 }),
    deviceName: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
)
export type LoginBody = Static<typeof LoginBody>

export const RoleGrant = Type.Object({
  role: RoleName,
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  orgKind: OrgKind,
})
export type RoleGrant = Static<typeof RoleGrant>

export const Profile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  roles: Type.Array(RoleGrant),
})
export type Profile = Static<typeof Profile>

export const LoginResponse = Type.Object({
  token: Type.String({ description: 'opaque bearer token; the server keeps only its hash' }),
  sessionId: Type.String(),
  expiresAt: Type.Integer({ description: 'epoch milliseconds' }),
  profile: Profile,
})
export type LoginResponse = Static<typeof LoginResponse>

export const DeviceSession = Type.Object({
  id: Type.String(),
  deviceName: Type.String(),
  createdAt: Type.Integer(),
  lastSeenAt: Type.Integer(),
  expiresAt: Type.Integer(),
  current: Type.Boolean(),
})
export type DeviceSession = Static<typeof DeviceSession>
