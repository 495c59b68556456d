import { Type, type Static } from 'typebox'
import { PRIVACY_NOTICE_VERSION } from './auth.constants.ts'

// Plain values in a file of their own, so the app's first screen uses them without the schema library.
export { PRIVACY_NOTICE_VERSION, ROLE_RANK } from './auth.constants.ts'

/** Mainland mobile numbers: 11 digits starting with 1. */
export const Phone = Type.String({ pattern: '^1[3-9][0-9]{9}$', description: '11-digit mobile number' })

export const RoleName = Type.Union([
  Type.Literal('member'),
  Type.Literal('group_leader'),
  Type.Literal('secretary'),
  Type.Literal('supervisor'),
  Type.Literal('admin'),
  /** 课件编辑: writes course-studio drafts for a district or township (server/features/studio). */
  Type.Literal('editor'),
])
export type RoleName = Static<typeof RoleName>


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
  /**
   * One-time password (new account, reset) or an expired one: every other route answers 403
   * until changed. Always sent by the server; optional for profiles cached by older versions.
   */
  mustChangePassword: Type.Optional(Type.Boolean()),
  /** The privacy notice version the person accepted (null: none); compared with PRIVACY_NOTICE_VERSION. */
  privacyAcceptedVersion: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Occupation category the person chose under 我的 (or an admin set); survey results split by it. */
  occupation: Type.Optional(Type.Union([Type.String(), Type.Null()])),
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

/** 修改密码: the current password proves it is the person; the form asks for the new one twice. */
export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
    newPassword: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)
export type ChangePasswordBody = Static<typeof ChangePasswordBody>

/** Step-up: the password again, before people/org/role changes, resets and exports. */
export const VerifyBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })
export type VerifyBody = Static<typeof VerifyBody>

export const VerifyResponse = Type.Object({
  verifiedAt: Type.Integer({ description: 'epoch ms; admin actions are allowed until verifiedAt + 15 min' }),
})
export type VerifyResponse = Static<typeof VerifyResponse>


/** 同意并继续: the person accepts exactly the version they were shown. */
export const PrivacyAcceptBody = Type.Object(
  { version: Type.Literal(PRIVACY_NOTICE_VERSION, { description: 'the notice version shown' }) },
  { additionalProperties: false },
)
export type PrivacyAcceptBody = Static<typeof PrivacyAcceptBody>
