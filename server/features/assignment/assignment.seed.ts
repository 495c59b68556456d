/**
 * Demo values for the member-group flags of migration 007, so differentiated assignments have
 * people to reach: about one in eight joined the Party within the last year (newly joined), the
 * rest years ago; secretaries and group leaders sit on their branch committee.
 */
import type { Database, NewPerson } from '../../db/database.ts'

const MONTH_MS = 30.44 * 86_400_000

export function applyDemoMemberGroups(people: NewPerson[], roles: Database['role'][], now: number): void {
  const committee = new Set(roles.filter((r) => r.role === 'secretary' || r.role === 'group_leader').map((r) => r.person_id))
  people.forEach((p, i) => {
    // Deterministic spread: index 5, 13, 21, … are new members (1–11 months), others 2–40 years.
    const months = i % 8 === 5 ? 1 + (i % 11) : 24 + ((i * 37) % 456)
    p.joined_party_at = Math.round(now - months * MONTH_MS)
    p.is_committee = committee.has(p.id) ? 1 : 0
  })
}
