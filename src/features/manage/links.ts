/**
 * The leaders' and supervisors' tools listed on the 管理 page. A feature adds its screen here
 * with the lowest role that may open it (the route repeats it as `meta.minRole`).
 */
import type { RoleName } from '@/protocol/auth.ts'

export interface ManageLink {
  /** route name */
  name: string
  /** i18n keys */
  title: string
  hint: string
  minRole: RoleName
}

export const MANAGE_LINKS: ManageLink[] = []
