import { createRouter, createWebHistory, type RouteLocationNormalized, type Router, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { installIdleLock } from '@/features/auth/idleLock.ts'
import { loadFeatureMessages } from '@/i18n/index.ts'
import type { RoleName } from '@/protocol/auth.ts'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    leadersOnly?: boolean
    /** Course studio screens: editors, supervisors, admins (the 管理 page opens to editors too). */
    studio?: boolean
    /** lowest role that sees the page (secretaries' and supervisors' screens) */
    minRole?: RoleName
    /** i18n key of the page title */
    title?: string
  }
}

// Every page is its own chunk, so the first screen downloads only what it shows.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/features/auth/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/ui/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/features/home/HomePage.vue'), meta: { title: 'tabs.home' } },
      { path: 'study', name: 'study', component: () => import('@/features/library/StudyPage.vue'), meta: { title: 'tabs.study' } },
      { path: 'pocket', name: 'pocket', component: () => import('@/features/pocket/PocketPage.vue'), meta: { title: 'tabs.pocket' } },
      {
        path: 'pocket/category/:id',
        name: 'pocket-category',
        component: () => import('@/features/pocket/PocketCategoryPage.vue'),
        meta: { title: 'pocket.title' },
      },
      { path: 'favourites', name: 'favourites', component: () => import('@/features/pocket/FavouritesPage.vue'), meta: { title: 'library.favourites' } },
      { path: 'me/downloads', name: 'downloads', component: () => import('@/features/library/DownloadsPage.vue'), meta: { title: 'library.downloads' } },
      { path: 'quiz', name: 'quiz', component: () => import('@/features/quiz/QuizPage.vue'), meta: { title: 'tabs.quiz' } },
      // Everyone: members check in and see their attendance; leaders also run meetings here.
      { path: 'attendance', name: 'attendance', component: () => import('@/features/attendance/AttendancePage.vue'), meta: { title: 'tabs.attendance' } },
      { path: 'me', name: 'me', component: () => import('@/features/me/MePage.vue'), meta: { title: 'tabs.me' } },
      { path: 'me/sessions', name: 'sessions', component: () => import('@/features/me/SessionsPage.vue'), meta: { title: 'me.sessions' } },
      // Leaders' and supervisors' tools; each entry lists the lowest role it needs (manage/links.ts).
      { path: 'manage', name: 'manage', component: () => import('@/features/manage/ManagePage.vue'), meta: { title: 'manage.title', leadersOnly: true, studio: true } },
      { path: 'me/sync', name: 'sync', component: () => import('@/features/sync/SyncRefusedPage.vue'), meta: { title: 'sync.refused' } },
    ],
  },
  // Readers take the whole screen (no tab bar): more room for text at 360 px.
  { path: '/study/course/:id', name: 'course', component: () => import('@/features/library/CoursePage.vue'), meta: { title: 'library.title' } },
  { path: '/study/lesson/:id', name: 'lesson', component: () => import('@/features/library/LessonPage.vue'), meta: { title: 'library.title' } },
  { path: '/pocket/entry/:id', name: 'pocket-entry', component: () => import('@/features/pocket/PocketEntryPage.vue'), meta: { title: 'pocket.title' } },
  // A quiz takes the whole screen: one question per screen, big options.
  { path: '/quiz/practice', name: 'quiz-practice', component: () => import('@/features/quiz/PracticePage.vue'), meta: { title: 'quiz.practice.title' } },
  { path: '/quiz/wrong', name: 'quiz-wrong', component: () => import('@/features/quiz/WrongBookPage.vue'), meta: { title: 'quiz.wrong.title' } },
  // Exams 考核: the member's list, one exam, and its paper (one question per screen, like a quiz).
  { path: '/exams', name: 'exams', component: () => import('@/features/exam/ExamListPage.vue'), meta: { title: 'exam.title' } },
  { path: '/exams/:id', name: 'exam', component: () => import('@/features/exam/ExamPage.vue'), meta: { title: 'exam.title' } },
  // Training-needs surveys 需求调研: the member's list and one survey (answered offline).
  { path: '/surveys', name: 'surveys', component: () => import('@/features/survey/SurveyListPage.vue'), meta: { title: 'survey.title' } },
  { path: '/surveys/:id', name: 'survey', component: () => import('@/features/survey/SurveyPage.vue'), meta: { title: 'survey.title' } },
  { path: '/exams/:id/take', name: 'exam-take', component: () => import('@/features/exam/ExamTakePage.vue'), meta: { title: 'exam.title' } },
  { path: '/quiz/:id', name: 'quiz-take', component: () => import('@/features/quiz/QuizTakePage.vue'), meta: { title: 'quiz.title' } },
  { path: '/quiz/result/:attemptId', name: 'quiz-result', component: () => import('@/features/quiz/QuizResultPage.vue'), meta: { title: 'quiz.result.title' } },
  { path: '/search', name: 'search', component: () => import('@/features/pocket/SearchPage.vue'), meta: { title: 'search.title' } },
  // Meetings take the whole screen: roll call needs every row it can get at 360 px.
  {
    path: '/attendance/new',
    name: 'meeting-new',
    component: () => import('@/features/attendance/MeetingFormPage.vue'),
    meta: { title: 'attendance.form.title', leadersOnly: true },
  },
  {
    path: '/attendance/meeting/:id',
    name: 'roll-call',
    component: () => import('@/features/attendance/RollCallPage.vue'),
    meta: { title: 'attendance.rollCall.title', leadersOnly: true },
  },
  {
    path: '/attendance/meeting/:id/code',
    name: 'meeting-code',
    component: () => import('@/features/attendance/MeetingCodePage.vue'),
    meta: { title: 'attendance.code.title', leadersOnly: true },
  },
  {
    path: '/attendance/visit',
    name: 'home-visit',
    component: () => import('@/features/attendance/HomeVisitPage.vue'),
    meta: { title: 'attendance.visit.title', leadersOnly: true },
  },
  // Study reflections 晒心得: the group feed, writing one (also from a lesson's end), and counts for secretaries.
  { path: '/reflections', name: 'reflections', component: () => import('@/features/reflections/ReflectionFeedPage.vue'), meta: { title: 'reflections.title' } },
  { path: '/reflections/new', name: 'reflection-new', component: () => import('@/features/reflections/ReflectionWritePage.vue'), meta: { title: 'reflections.writeTitle' } },
  {
    path: '/manage/reflections',
    name: 'reflection-stats',
    component: () => import('@/features/reflections/ReflectionStatsPage.vue'),
    meta: { title: 'reflections.stats.title', minRole: 'secretary' },
  },
  {
    path: '/attendance/overview',
    name: 'attendance-overview',
    component: () => import('@/features/attendance/OverviewPage.vue'),
    meta: { title: 'attendanceOverview.title', minRole: 'group_leader' },
  },
  { path: '/attendance/flowing', name: 'flowing', component: () => import('@/features/flowing/FlowingRecordPage.vue'), meta: { title: 'flowing.title' } },
  { path: '/attendance/checkin', name: 'checkin', component: () => import('@/features/attendance/CheckInPage.vue'), meta: { title: 'attendance.checkin.title' } },
  // Study points 学习圈: the list/map and a point's page for everyone; supervisors manage their area's.
  { path: '/study-points', name: 'study-points', component: () => import('@/features/studyPoints/StudyPointsPage.vue'), meta: { title: 'studyPoints.title' } },
  { path: '/study-points/:id', name: 'study-point', component: () => import('@/features/studyPoints/StudyPointPage.vue'), meta: { title: 'studyPoints.title' } },
  {
    path: '/manage/study-points',
    name: 'study-points-manage',
    component: () => import('@/features/studyPoints/StudyPointsManagePage.vue'),
    meta: { title: 'studyPoints.manage.title', minRole: 'supervisor' },
  },
  {
    path: '/manage/study-points/:id',
    name: 'study-point-edit',
    component: () => import('@/features/studyPoints/StudyPointFormPage.vue'),
    meta: { title: 'studyPoints.manage.title', minRole: 'supervisor' },
  },
  // Assignments 布置学习: secretaries set them (desktop or phone); leaders read how their people did.
  { path: '/manage/surveys', name: 'survey-admin', component: () => import('@/features/survey/SurveyAdminPage.vue'), meta: { title: 'survey.admin.title', minRole: 'secretary' } },
  { path: '/manage/surveys/:id', name: 'survey-results', component: () => import('@/features/survey/SurveyResultsPage.vue'), meta: { title: 'survey.results.title', minRole: 'secretary' } },
  { path: '/manage/evaluations', name: 'evaluation-results', component: () => import('@/features/evaluation/EvaluationResultsPage.vue'), meta: { title: 'evaluation.results.title', minRole: 'supervisor' } },
  // Editors write the questions, so they see their quality; supervisors and up as well (the studio's rule).
  { path: '/manage/item-stats', name: 'item-stats', component: () => import('@/features/evaluation/ItemStatsPage.vue'), meta: { title: 'evaluation.quality.title', studio: true } },
  { path: '/manage/exams', name: 'exam-admin', component: () => import('@/features/exam/ExamAdminPage.vue'), meta: { title: 'exam.admin.title', minRole: 'secretary' } },
  { path: '/manage/assignments', name: 'assignments', component: () => import('@/features/assignment/AssignmentsPage.vue'), meta: { title: 'assignment.title', minRole: 'secretary' } },
  {
    path: '/manage/assignment-results',
    name: 'assignment-results',
    component: () => import('@/features/assignment/AssignmentResultsListPage.vue'),
    meta: { title: 'assignment.results.listTitle', minRole: 'group_leader' },
  },
  {
    path: '/manage/assignments/:id/results',
    name: 'assignment-result',
    component: () => import('@/features/assignment/AssignmentResultPage.vue'),
    meta: { title: 'assignment.results.title', minRole: 'group_leader' },
  },
  // Training archive 培训档案: the member's own (no id) or, for leaders, anyone of their subtree.
  // Full screen (no tab bar) so it prints as a clean page.
  { path: '/archive/:personId?', name: 'archive', component: () => import('@/features/archive/ArchivePage.vue'), meta: { title: 'archive.title' } },
  { path: '/manage/archive', name: 'archive-people', component: () => import('@/features/archive/ArchivePeoplePage.vue'), meta: { title: 'archive.manageTitle', minRole: 'group_leader' } },
  { path: '/manage/plans', name: 'plans', component: () => import('@/features/plans/PlanPage.vue'), meta: { title: 'archive.plan.title', minRole: 'secretary' } },
  { path: '/manage/monthly-report', name: 'monthly-report', component: () => import('@/features/plans/MonthlyReportPage.vue'), meta: { title: 'archive.report.title', minRole: 'secretary' } },
  // Reports: a unit's figures and data freshness, drilling down the org tree (full screen: wide tables).
  { path: '/manage/reports/:unitId?', name: 'reports', component: () => import('@/features/reports/ReportsPage.vue'), meta: { title: 'reports.title', minRole: 'secretary' } },
  // People and organisation administration (desktop-friendly, online only).
  { path: '/manage/org/:id?', name: 'admin-org', component: () => import('@/features/admin/OrgTreePage.vue'), meta: { title: 'admin.org.title', minRole: 'supervisor' } },
  { path: '/manage/people', name: 'admin-people', component: () => import('@/features/admin/PeoplePage.vue'), meta: { title: 'admin.people.title', minRole: 'secretary' } },
  { path: '/manage/people/:id', name: 'admin-person', component: () => import('@/features/admin/PersonPage.vue'), meta: { title: 'admin.people.title', minRole: 'secretary' } },
  { path: '/manage/import', name: 'admin-import', component: () => import('@/features/admin/ImportPage.vue'), meta: { title: 'admin.import.title', minRole: 'secretary' } },
  { path: '/manage/audit', name: 'admin-audit', component: () => import('@/features/admin/AuditPage.vue'), meta: { title: 'admin.audit.title', minRole: 'supervisor' } },
  { path: '/manage/lecturers', name: 'lecturers', component: () => import('@/features/lecturers/LecturersPage.vue'), meta: { title: 'admin.lecturers.title', minRole: 'secretary' } },
  { path: '/manage/lecturers/:id', name: 'lecturer', component: () => import('@/features/lecturers/LecturerPage.vue'), meta: { title: 'admin.lecturers.page', minRole: 'secretary' } },
  // 课件工作室: desktop-friendly editors (full screen), online only.
  { path: '/studio', name: 'studio', component: () => import('@/features/studio/StudioListPage.vue'), meta: { title: 'studio.title', studio: true } },
  { path: '/studio/cases', name: 'studio-cases', component: () => import('@/features/cases/CaseListPage.vue'), meta: { title: 'cases.list.title', studio: true } },
  { path: '/studio/items/:id', name: 'studio-item', component: () => import('@/features/studio/StudioItemPage.vue'), meta: { title: 'studio.title', studio: true } },
  // 修改密码: full screen, also where a one-time password leads right after sign-in.
  { path: '/me/password', name: 'change-password', component: () => import('@/features/me/ChangePasswordPage.vue'), meta: { title: 'account.changePassword' } },
  // 个人信息保护告知: full screen until the current version is accepted.
  { path: '/privacy', name: 'privacy-notice', component: () => import('@/features/me/PrivacyNoticePage.vue'), meta: { title: 'privacy.title' } },
  { path: '/:rest(.*)*', redirect: '/' },
]

/**
 * Built when the app starts, not when this module is evaluated: matching ~60 route paths is one of
 * the larger pieces of start-up work, and main.ts runs it in a task of its own (a cheap phone's
 * first screen must not wait on one long task).
 */
export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(guard)
  installIdleLock(router)
  return router
}

async function guard(to: RouteLocationNormalized) {
  const auth = useAuthStore()
  if (!to.meta.public && !auth.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  if (to.name === 'login' && auth.signedIn) return { name: 'home' }
  // A one-time password works once: the server answers nothing else until it is changed.
  if (auth.mustChangePassword && !to.meta.public && to.name !== 'change-password') return { name: 'change-password' }
  // PIPL: nothing is used before the person has read and accepted the privacy notice.
  if (!auth.mustChangePassword && auth.mustAcceptPrivacy && !to.meta.public && to.name !== 'privacy-notice') return { name: 'privacy-notice' }
  // The client only hides; the server decides what a person may do.
  if (to.meta.leadersOnly && !auth.isLeader && !(to.meta.studio && auth.usesStudio)) return { name: 'home' }
  if (to.meta.studio && !to.meta.leadersOnly && !auth.usesStudio) return { name: 'home' }
  if (to.meta.minRole && !auth.hasRole(to.meta.minRole)) return { name: 'home' }
  // Feature screens' text arrives with the first of them (login and home paint without it).
  if (to.name !== 'login' && to.name !== 'home') await loadFeatureMessages()
}
