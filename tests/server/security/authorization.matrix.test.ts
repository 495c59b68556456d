/**
 * The authorisation matrix: every operation of /api/openapi.json × every role × a target in the
 * caller's own subtree, another subtree, and another person. The expected statuses live in ONE
 * table keyed by `METHOD path`; an operation without an entry fails the test, so a new route
 * must be placed in the matrix before it ships. A refused request must leave every table as it was.
 *
 * Roles are the demo accounts (server/seed/demo.ts): member, group leader and secretary of the
 * first group and branch, the first township's supervisor, the district admin. Targets:
 * - own: inside the member's group (so inside every role's subtree); for a person, the caller;
 * - person: another plain member of that group;
 * - other: inside the second township, which only the district admin reaches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { PUBLIC_API_ROUTES } from '../../../server/shared/authz.ts'
import {
  changedTables, keyOf, loadTargets, openSecurityContext, pathIds, renewSession, ROLES, Rng, sample, tableDigests,
  urlOf, usesResource, type Actor, type Operation, type Resource, type Role, type Scope, type Targets,
} from './openapi.ts'

/** Statuses by role, in the order of ROLES: anonymous, member, leader, secretary, supervisor, admin. */
type Row = readonly [number, number, number, number, number, number]
type Expectation = { own: Row; person?: Row; other?: Row }

/**
 * What a valid request needs beyond its schema: the study-point list wants either a grid cell or
 * a unit, an import wants a CSV naming a group of the scope (a fresh phone each time).
 */
let imported = 0
const FIXTURES: Record<string, (unitId: string, groupId: string) => { query?: Record<string, unknown>; body?: Record<string, unknown> }> = {
  'GET /api/v1/study-points': (unitId) => ({ query: { orgUnitId: unitId } }),
  'POST /api/v1/admin/imports/members/check': (_, groupId) => ({ body: { csv: `name,phone,group\n矩阵,${13600000000 + ++imported},${groupId}\n` } }),
  'POST /api/v1/admin/imports/members': (_, groupId) => ({ body: { csv: `name,phone,group\n矩阵,${13600000000 + ++imported},${groupId}\n` } }),
}

// prettier-ignore
const MATRIX: Record<string, Expectation> = {
  'GET /api/health': { own: [200, 200, 200, 200, 200, 200] },
  'GET /api/ready': { own: [200, 200, 200, 200, 200, 200] },
  // Public to sessions: guarded by METRICS_TOKEN or a private address, not by role. The matrix calls from
  // 127.0.0.1 with no token set, so 200; the 401/403 cases are in tests/server/platform/metrics.test.ts.
  'GET /api/metrics': { own: [200, 200, 200, 200, 200, 200] },
  // Public; the sampled phone has no account, so 401 for everyone.
  'POST /api/v1/auth/login': { own: [401, 401, 401, 401, 401, 401] },
  'POST /api/v1/auth/logout': { own: [401, 204, 204, 204, 204, 204] },
  'GET /api/v1/auth/me': { own: [401, 200, 200, 200, 200, 200] },
  // own: the sampled body's current password is wrong, so 400 (and a failed-password audit row).
  'POST /api/v1/auth/password': { own: [401, 400, 400, 400, 400, 400] },
  'POST /api/v1/auth/verify': { own: [401, 400, 400, 400, 400, 400] },
  // own: the schema names the one current version, so the sample accepts it.
  'POST /api/v1/auth/privacy': { own: [401, 200, 200, 200, 200, 200] },
  // own: only ever the caller's own occupation (no person in the path).
  'PUT /api/v1/auth/me/occupation': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/auth/me/export.json': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/auth/sessions': { own: [401, 200, 200, 200, 200, 200] },
  // other: someone else's session is not found, not deletable.
  'DELETE /api/v1/auth/sessions/{id}': { own: [401, 204, 204, 204, 204, 204], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/org/units/{id}': { own: [401, 200, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/org/units/{id}/members': { own: [401, 200, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'PATCH /api/v1/people/{id}': { own: [401, 403, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/sync/pull': { own: [401, 200, 200, 200, 200, 200] },
  'POST /api/v1/sync/push': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/attendance/groups/{id}/roster': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/meetings': { own: [401, 200, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/meetings/{id}': { own: [401, 200, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/me': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/attendance/home-visits': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // Photo routes: the seed has no photos, so 404 once signed in (the subtree check runs after the row is found).
  'GET /api/v1/attendance/home-visits/{id}/photo': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/attendance/overview': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/overview/units': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/overview/meetings': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/attendance/overview/members': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/flowing-records/me': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/flowing-records': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/flowing-records/reviewed': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/flowing-records/{id}/photo': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/admin/units/{id}': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'PATCH /api/v1/admin/units/{id}': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // own: 409, a party group has no units below it.
  'POST /api/v1/admin/units': { own: [401, 403, 403, 403, 409, 409], other: [401, 403, 403, 403, 403, 201] },
  'POST /api/v1/admin/units/{id}/move': { own: [401, 403, 403, 403, 409, 409], other: [401, 403, 403, 403, 403, 409] },
  'POST /api/v1/admin/units/{id}/retire': { own: [401, 403, 403, 403, 409, 409], other: [401, 403, 403, 403, 403, 409] },
  'GET /api/v1/admin/units/{id}/people': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/admin/people/{id}': { own: [401, 403, 403, 200, 200, 200], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'PATCH /api/v1/admin/people/{id}': { own: [401, 403, 403, 200, 200, 200], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // 409 after the secretary's create: the sampled phone is taken.
  'POST /api/v1/admin/people': { own: [401, 403, 403, 201, 409, 409], other: [401, 403, 403, 403, 403, 409] },
  'POST /api/v1/admin/people/{id}/move': { own: [401, 403, 403, 200, 200, 200], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // own: nobody deactivates themselves (403 OWN_ACCOUNT). The person column is a plain member; acting on
  // a target who holds a higher role is tested with HARDEN's fix in tests/server/admin/.
  'POST /api/v1/admin/people/{id}/status': { own: [401, 403, 403, 403, 403, 403], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/admin/people/{id}/erase': { own: [401, 403, 403, 403, 403, 403], person: [401, 403, 403, 403, 403, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/admin/people/{id}/password': { own: [401, 403, 403, 403, 403, 403], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/admin/people/{id}/roles': { own: [401, 403, 403, 403, 403, 403], person: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 400] },
  // person: the secretary revokes the role the row above granted; after that it is gone (404).
  'DELETE /api/v1/admin/people/{id}/roles': { own: [401, 403, 403, 403, 403, 403], person: [401, 403, 403, 200, 404, 404], other: [401, 403, 403, 403, 403, 400] },
  'POST /api/v1/admin/imports/members/check': { own: [401, 403, 403, 200, 200, 200] },
  'POST /api/v1/admin/imports/members': { own: [401, 403, 403, 200, 200, 200] },
  'GET /api/v1/admin/units/{id}/audit': { own: [401, 403, 403, 403, 200, 200], person: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/admin/units/{id}/audit/export.csv': { own: [401, 403, 403, 403, 200, 200], person: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/lecturers': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/lecturers': { own: [401, 403, 403, 403, 201, 201], other: [401, 403, 403, 403, 403, 201] },
  'PATCH /api/v1/lecturers/{id}': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // A lecturer's page: secretaries and above who may see the lecturer in a pool; 404 for anyone else.
  'GET /api/v1/lecturers/{id}/courses': { own: [401, 404, 404, 200, 200, 200], other: [401, 404, 404, 404, 404, 200] },
  'POST /api/v1/lecturers/{id}/requests': { own: [401, 403, 403, 201, 201, 201], other: [401, 403, 403, 403, 403, 201] },
  'GET /api/v1/lecturer-requests': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // own: the supervisor decides; the admin then meets a decided request (409).
  'POST /api/v1/lecturer-requests/{id}/decision': { own: [401, 403, 403, 403, 200, 409], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/reports/units/{id}': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/reports/units/{id}/members': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}/lessons': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}/quizzes': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}/meetings': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}/visits': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive/{personId}/export.csv': { own: [401, 200, 200, 200, 200, 200], person: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/archive-people': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/plans': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/plans/items': { own: [401, 403, 403, 201, 409, 409], other: [401, 403, 403, 403, 403, 409] },
  // other: the demo plans belong to the first township only, so no plan item exists there (404).
  'PATCH /api/v1/plans/items/{id}': { own: [401, 403, 403, 200, 200, 200], other: [401, 404, 404, 404, 404, 404] },
  'DELETE /api/v1/plans/items/{id}': { own: [401, 403, 403, 204, 204, 204], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/monthly-reports/{orgUnitId}': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/monthly-reports/{orgUnitId}/export.csv': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // 400 even where allowed: the test database holds no course or quiz to assign. The 403s still come first.
  'POST /api/v1/assignments': { own: [401, 403, 403, 400, 400, 400], person: [401, 403, 403, 400, 400, 400], other: [401, 403, 403, 403, 403, 400] },
  'GET /api/v1/assignments': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // No assignment exists (see above): 404 once signed in, never 5xx.
  'DELETE /api/v1/assignments/{id}': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/assignments/{id}/results': { own: [401, 403, 404, 404, 404, 404], other: [401, 403, 403, 403, 403, 404] },
  'GET /api/v1/reflections': { own: [401, 200, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/reflections/{id}/photos': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/reflections/stats': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // Study points are a directory every signed-in member reads wherever they are (a flowing member looks
  // for one far from home): 200 in the other township is by design. Writing needs a supervisor over the unit.
  'GET /api/v1/study-points': { own: [401, 200, 200, 200, 200, 200], other: [401, 200, 200, 200, 200, 200] },
  'POST /api/v1/study-points': { own: [401, 403, 403, 403, 201, 201], other: [401, 403, 403, 403, 403, 201] },
  'GET /api/v1/study-points/areas': { own: [401, 200, 200, 200, 200, 200], other: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/study-points/{id}': { own: [401, 200, 200, 200, 200, 200], other: [401, 200, 200, 200, 200, 200] },
  'PATCH /api/v1/study-points/{id}': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'PUT /api/v1/study-points/{id}/meetings/{meetingId}': { own: [401, 403, 200, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'DELETE /api/v1/study-points/{id}/meetings/{meetingId}': { own: [401, 403, 200, 404, 404, 404], other: [401, 403, 403, 403, 403, 200] },
  // Exams: set and read by secretaries and above; 400 where allowed, as no exam-bank quiz is imported here.
  'POST /api/v1/exams': { own: [401, 403, 403, 400, 400, 400], other: [401, 403, 403, 403, 403, 400] },
  'GET /api/v1/exams': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/exams/quizzes': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // No exam exists in this database: 404 once signed in (the row is found before the subtree check).
  'GET /api/v1/exams/{id}/results': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  // A member's own exams, papers without answers (tests/server/exam/exam.test.ts).
  'GET /api/v1/exams/mine': { own: [401, 200, 200, 200, 200, 200] },
  // Studio media: editors (not among the demo roles here), supervisors and admins. 400 where allowed, as
  // the matrix sends no file; real files and the editor role are in tests/server/media/upload.test.ts.
  'GET /api/v1/studio/media/limits': { own: [401, 403, 403, 403, 200, 200] },
  'POST /api/v1/studio/media': { own: [401, 403, 403, 403, 400, 400], other: [401, 403, 403, 403, 403, 400] },
  // Surveys: sent and read by secretaries and above.
  'POST /api/v1/surveys': { own: [401, 403, 403, 400, 400, 400], other: [401, 403, 403, 403, 403, 400] },
  'GET /api/v1/surveys': { own: [401, 403, 403, 200, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/surveys/{id}/results': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/surveys/{id}/units': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  // A member's own surveys (tests/server/survey/survey.test.ts).
  'GET /api/v1/surveys/mine': { own: [401, 200, 200, 200, 200, 200] },
  // Starting an attempt: no exam exists here, so 404 once signed in (tests/server/exam/exam.test.ts).
  'POST /api/v1/exams/{id}/start': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  // Question quality: supervisors and admins (content is shared by the whole tree).
  'GET /api/v1/item-stats': { own: [401, 403, 403, 403, 200, 200] },
  // Evaluation figures and nameless comments: supervisor or above over the unit.
  'GET /api/v1/evaluations': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/evaluations/comments': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // Course studio: editors (none among the matrix roles), supervisors and admins of the unit or above.
  'GET /api/v1/studio/items': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'POST /api/v1/studio/items': { own: [401, 403, 403, 403, 201, 201], other: [401, 403, 403, 403, 403, 201] },
  // Packages: a course or pocket-book category as one zip; no such course or category here, and no zip in the body.
  'GET /api/v1/studio/package': { own: [401, 403, 403, 403, 404, 404], other: [401, 403, 403, 403, 403, 404] },
  'POST /api/v1/studio/package': { own: [401, 403, 403, 403, 400, 400], other: [401, 403, 403, 403, 403, 400] },
  'GET /api/v1/studio/lecturers': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  'GET /api/v1/studio/categories': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // The sampled own unit is a branch: categories belong to a district or township (400 naming the field).
  'POST /api/v1/studio/categories': { own: [401, 403, 403, 403, 400, 400], other: [401, 403, 403, 403, 403, 201] },
  // {id} is sampled from another table's ids (the "items" segment is the plans'): no such studio item.
  'GET /api/v1/studio/items/{id}': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'PUT /api/v1/studio/items/{id}': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'POST /api/v1/studio/items/{id}/submit': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/studio/items/{id}/diff': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'POST /api/v1/studio/items/{id}/approve': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'POST /api/v1/studio/items/{id}/reject': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/studio/items/{id}/versions': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'POST /api/v1/studio/items/{id}/rollback': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'POST /api/v1/studio/items/{id}/unpublish': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  // 好的进教材: the sampled reflection id is no reflection (404 before any rule); the author's own list is open to
  // everyone signed in; a unit's proposals are for its editors, supervisors and admins.
  'POST /api/v1/cases': { own: [401, 404, 404, 404, 404, 404], other: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/cases/mine': { own: [401, 200, 200, 200, 200, 200] },
  'GET /api/v1/cases/targets': { own: [401, 404, 404, 404, 404, 404] },
  'GET /api/v1/cases': { own: [401, 403, 403, 403, 200, 200], other: [401, 403, 403, 403, 403, 200] },
  // A studio video's processing state: editors, supervisors and admins; no video exists here.
  'GET /api/v1/studio/videos/{id}': { own: [401, 403, 403, 403, 404, 404], other: [401, 403, 403, 403, 404, 404] },
}

describe.each(DIALECTS)('authorisation matrix on %s', (dialect) => {
  let ctx: TestContext
  let ops: Operation[]
  let actors: Record<Role, Actor>
  let targets: Targets

  beforeAll(async () => {
    ;({ ctx, ops, actors, targets } = await openSecurityContext(dialect, async (c, signedIn) => {
      ctx = c
      // A meeting inside the member's group and one in the other township, so meeting routes meet real rows.
      await createMeeting(signedIn.leader, groupOf('own'))
      await createMeeting(signedIn.admin, groupOf('other'))
    }))
  })
  afterAll(() => ctx.close())

  async function createMeeting(actor: Actor, orgUnitId: string) {
    const now = Date.now()
    const payload = { meetingId: uuidv7(), orgUnitId, type: 'group_meeting', startsAt: now, endsAt: now + 3_600_000, place: 'matrix', topic: 'matrix', checkinCode: '123456' }
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: actor.headers,
      payload: { deviceId: 'matrix', records: [{ id: uuidv7(), kind: 'meeting_create', payload, createdAt: now, deviceId: 'matrix' }] },
    })
    expect(res.json().results[0].status).toBe('applied')
  }

  it('has an entry for every operation in the OpenAPI document, and none for a route that is gone', () => {
    const keys = ops.map(keyOf)
    expect(keys.filter((k) => !MATRIX[k])).toEqual([])
    expect(Object.keys(MATRIX).filter((k) => !keys.includes(k))).toEqual([])
  })

  it('answers 401 to an anonymous caller on every guarded route before reading its input', async () => {
    const answered: string[] = []
    for (const op of ops.filter((o) => !PUBLIC_API_ROUTES.has(keyOf(o)))) {
      // No query, a body of the wrong shape: a route that validated first would answer 400 naming fields.
      const url = op.path.replace(/\{\w+\}/g, 'x')
      const res = await ctx.app.inject({ method: op.method as 'GET', url, ...(op.method === 'GET' ? {} : { payload: { junk: true } }) })
      if (res.statusCode !== 401 || res.json().field !== undefined) answered.push(`${keyOf(op)}: ${res.statusCode} ${res.body.slice(0, 80)}`)
    }
    expect(answered).toEqual([])
  })

  it('answers every route, role and target as the matrix says, and a refused request writes nothing', async () => {
    const wrong: string[] = []
    const writes: string[] = []
    const recorded: string[] = []
    let before = await tableDigests(ctx)
    for (const op of ops) {
      const expected = MATRIX[keyOf(op)]
      const got: Partial<Record<Scope, number[]>> = {}
      for (const scope of scopesOf(op)) {
        for (const [i, role] of ROLES.entries()) {
          const res = await send(op, scope, actors[role])
          ;(got[scope] ??= []).push(res.statusCode)
          const want = expected?.[scope]?.[i]
          const label = `${keyOf(op)} ${scope} as ${role}`
          if (want !== undefined && res.statusCode !== want) wrong.push(`${label}: ${res.statusCode} (expected ${want}) ${res.body.slice(0, 100)}`)
          const after = await tableDigests(ctx)
          if (res.statusCode >= 400) {
            const changed = changedTables(before, after)
            if (changed.length) writes.push(`${label}: ${res.statusCode} but wrote ${changed.join(', ')}`)
          }
          before = after
          if (op.path.startsWith('/api/v1/auth/') && res.statusCode < 300) await renewSession(ctx, actors[role])
          // A row created here (a lecturer in the other township) becomes a target for the routes after it.
          if (op.method !== 'GET' && res.statusCode < 300) targets = await loadTargets(ctx, actors)
        }
      }
      recorded.push(`  '${keyOf(op)}': { ${Object.entries(got).map(([s, r]) => `${s}: [${r.join(', ')}]`).join(', ')} },`)
    }
    if (process.env.MATRIX_RECORD) console.info(recorded.join('\n'))
    expect(wrong).toEqual([])
    expect(writes).toEqual([])
  }, 240_000)

  function groupOf(scope: Scope): string {
    const townships = ctx.seed.units.filter((u) => u.kind === 'township')
    const root = townships[scope === 'other' ? 1 : 0]!.path
    return ctx.seed.units.find((u) => u.kind === 'group' && u.path.startsWith(root))!.id
  }

  /** own always; person where a person is addressed; other where any id can point elsewhere. */
  function scopesOf(op: Operation): Scope[] {
    const scopes: Scope[] = ['own']
    if (usesResource(op, 'person')) scopes.push('person')
    if (usesResource(op)) scopes.push('other')
    return scopes
  }

  /** One valid request for the scope: every id in it (path, query, body) points into that scope. */
  async function send(op: Operation, scope: Scope, actor: Actor) {
    // The same seed for every role and scope: only the caller and the targets change.
    const rng = new Rng(7)
    const sampler = { rng, optional: 'ids' as const, id: (r: Resource) => targets.pick(r, scope, actor) }
    const params = pathIds(op, sampler.id)
    const fixture = FIXTURES[keyOf(op)]?.(sampler.id('unit'), groupOf(scope)) ?? {}
    const query = { ...(sample(op.query, 'query', sampler) as object), ...fixture.query }
    const encoded = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, encodeURIComponent(String(v))]))
    const body = op.body ? { ...(sample(op.body, 'body', sampler) as object), ...fixture.body } : undefined
    return ctx.app.inject({
      method: op.method as 'GET',
      url: urlOf(op, params, encoded),
      headers: actor.headers,
      ...(body === undefined ? {} : { payload: body as object }),
    })
  }
})
