/**
 * A person's placement and assigned-course figures in `report_person_stats` (migration 014):
 * their unit while active, how many courses reach them (a unit assignment on their unit or an
 * ancestor, for everyone or for a member group they are in, or one naming them; a course assigned
 * twice counts once) and how many of those they completed (every live lesson).
 *
 * Worked out here rather than in one SQL statement: each person needs the assignments on their
 * ancestors, which a chunk of people shares, so a few indexed reads per chunk beat a join of every
 * member against every assignment's subtree.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { memberGroupsOf } from '../assignment/assignment.repository.ts'

const unitsOnPath = (path: string) => path.split('/').filter(Boolean)

/** Returns the units the people are placed on now (active ones). */
export async function refreshCoursesAndUnit(db: Kysely<Database>, people: string[], now: number): Promise<string[]> {
  if (people.length === 0) return []
  const persons = await db
    .selectFrom('person as p')
    .innerJoin('org_unit as o', 'o.id', 'p.org_unit_id')
    .select(['p.id', 'p.status', 'p.org_unit_id', 'p.is_flowing', 'p.is_elderly', 'p.is_committee', 'p.joined_party_at', 'o.path'])
    .where('p.id', 'in', people)
    .execute()
  const active = persons.filter((p) => p.status === 'active')
  const ancestors = [...new Set(active.flatMap((p) => unitsOnPath(p.path)))]
  const [onUnits, named] = await Promise.all([
    ancestors.length
      ? db
          .selectFrom('assignment')
          .select(['org_unit_id', 'course_id', 'member_group'])
          .where('target', '=', 'unit')
          .where('course_id', 'is not', null)
          .where('deleted_at', 'is', null)
          .where('org_unit_id', 'in', ancestors)
          .execute()
      : [],
    db
      .selectFrom('assignment_person as ap')
      .innerJoin('assignment as a', 'a.id', 'ap.assignment_id')
      .select(['ap.person_id', 'a.course_id'])
      .where('ap.person_id', 'in', people)
      .where('a.course_id', 'is not', null)
      .where('a.deleted_at', 'is', null)
      .execute(),
  ])

  const coursesOf = new Map<string, Set<string>>()
  for (const p of active) {
    const units = new Set(unitsOnPath(p.path))
    const groups = memberGroupsOf(p, now)
    const reaching = onUnits.filter((a) => units.has(a.org_unit_id) && (a.member_group === null || groups.includes(a.member_group)))
    coursesOf.set(p.id, new Set(reaching.map((a) => a.course_id!)))
  }
  for (const n of named) coursesOf.get(n.person_id)?.add(n.course_id!)

  const courses = [...new Set([...coursesOf.values()].flatMap((s) => [...s]))]
  const [lessons, progress] = courses.length
    ? await Promise.all([
        db
          .selectFrom('lesson')
          .select((eb) => ['course_id', eb.fn.countAll<number>().as('n')])
          .where('course_id', 'in', courses)
          .where('deleted_at', 'is', null)
          .groupBy('course_id')
          .execute(),
        db
          .selectFrom('report_course_progress')
          .select(['person_id', 'course_id', 'lessons_completed'])
          .where('person_id', 'in', [...coursesOf.keys()])
          .where('course_id', 'in', courses)
          .execute(),
      ])
    : [[], []]
  const lessonsIn = new Map(lessons.map((l) => [l.course_id, Number(l.n)]))
  const done = new Set(progress.filter((r) => Number(r.lessons_completed) >= lessonsIn.get(r.course_id)!).map((r) => `${r.person_id} ${r.course_id}`))

  const rows = persons.map((p) => {
    // A course with no live lesson cannot be completed: it is not counted as assigned.
    const assigned = [...(coursesOf.get(p.id) ?? [])].filter((c) => lessonsIn.get(c))
    return {
      person_id: p.id,
      org_unit_id: p.status === 'active' ? p.org_unit_id : null,
      courses_assigned: assigned.length,
      courses_completed: assigned.filter((c) => done.has(`${p.id} ${c}`)).length,
    }
  })
  if (rows.length === 0) return []
  await db
    .insertInto('report_person_stats')
    .values(rows)
    .onConflict((oc) =>
      oc.column('person_id').doUpdateSet((eb) => ({
        org_unit_id: eb.ref('excluded.org_unit_id'),
        courses_assigned: eb.ref('excluded.courses_assigned'),
        courses_completed: eb.ref('excluded.courses_completed'),
      })),
    )
    .execute()
  return [...new Set(active.map((p) => p.org_unit_id))]
}
