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
  /** Open to course editors too (the studio), whatever their rank. */
  studio?: boolean
}

export const MANAGE_LINKS: ManageLink[] = [
  { name: 'studio', title: 'studio.title', hint: 'studio.hint', minRole: 'supervisor', studio: true },
  { name: 'reports', title: 'reports.title', hint: 'reports.hint', minRole: 'secretary' },
  { name: 'attendance-overview', title: 'attendanceOverview.title', hint: 'attendanceOverview.hint', minRole: 'group_leader' },
  { name: 'plans', title: 'archive.plan.title', hint: 'archive.plan.hint', minRole: 'secretary' },
  { name: 'monthly-report', title: 'archive.report.title', hint: 'archive.report.hint', minRole: 'secretary' },
  { name: 'archive-people', title: 'archive.manageTitle', hint: 'archive.manageHint', minRole: 'group_leader' },
  { name: 'assignments', title: 'assignment.title', hint: 'assignment.hint', minRole: 'secretary' },
  { name: 'survey-admin', title: 'survey.admin.title', hint: 'survey.admin.hint', minRole: 'secretary' },
  { name: 'exam-admin', title: 'exam.admin.title', hint: 'exam.admin.hint', minRole: 'secretary' },
  { name: 'evaluation-results', title: 'evaluation.results.title', hint: 'evaluation.results.hint', minRole: 'supervisor' },
  { name: 'item-stats', title: 'evaluation.quality.title', hint: 'evaluation.quality.hint', minRole: 'supervisor', studio: true },
  { name: 'assignment-results', title: 'assignment.results.listTitle', hint: 'assignment.results.hint', minRole: 'group_leader' },
  { name: 'reflection-stats', title: 'reflections.stats.title', hint: 'reflections.stats.hint', minRole: 'secretary' },
  { name: 'study-points-manage', title: 'studyPoints.manage.title', hint: 'studyPoints.manage.hint', minRole: 'supervisor' },
  { name: 'admin-people', title: 'admin.links.people', hint: 'admin.links.peopleHint', minRole: 'secretary' },
  { name: 'admin-import', title: 'admin.links.import', hint: 'admin.links.importHint', minRole: 'secretary' },
  { name: 'admin-org', title: 'admin.links.org', hint: 'admin.links.orgHint', minRole: 'supervisor' },
  { name: 'lecturers', title: 'admin.links.lecturers', hint: 'admin.links.lecturersHint', minRole: 'secretary' },
  { name: 'admin-audit', title: 'admin.links.audit', hint: 'admin.links.auditHint', minRole: 'supervisor' },
]
