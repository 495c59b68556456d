import type { RoleName } from './auth.ts'

/**
 * Each role can do everything the roles below it can (server authz and client menus agree).
 * `editor` (课件编辑) ranks with members: it opens the course studio (server/features/studio,
 * which checks the role by name) and nothing else, so no leader screen or person action opens to it.
 */
export const ROLE_RANK: Record<RoleName, number> = { member: 0, editor: 0, group_leader: 1, secretary: 2, supervisor: 3, admin: 4 }

/**
 * 个人信息保护告知: the version of the notice's text. Raise it when the text changes in substance;
 * everyone then sees the notice again at their next start.
 */
export const PRIVACY_NOTICE_VERSION = '2026-12'
