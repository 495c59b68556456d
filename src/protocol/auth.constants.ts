import type { RoleName } from './auth.ts'

/**
 * Each role can do everything the roles below it can (server authz and client menus agree).
 * An editor ranks as a member: the studio checks the role by name, and writing courses gives no
 * power over people or meetings.
 */
export const ROLE_RANK: Record<RoleName, number> = { member: 0, group_leader: 1, secretary: 2, supervisor: 3, admin: 4, editor: 0 }

/**
 * 个人信息保护告知: the version of the notice's text. Raise it when the text changes in substance;
 * everyone then sees the notice again at their next start.
 */
export const PRIVACY_NOTICE_VERSION = '2026-12'
