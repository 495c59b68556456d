/**
 * The pull cursor (docs/sync-protocol.md, Pull): opaque to phones, it records how far a phone
 * has pulled AND the scope it pulled under, so the server notices when what the person may see
 * has changed since (moved to another unit, a unit moved in the tree, a flag set or cleared,
 * the "new member" year running out) and has the phone refetch what that change touches.
 *
 *   v<version>.<units>.<groups>                    up to date with <version> under that scope
 *   r<pos>.<since>.<a|g>.<units>.<groups>          a reset in progress (all tables | assignments)
 *   v<version>                                     before scopes (scope unknown: reset all)
 *   f<phase>.<pos>.<top>.<done>.<total>.<units>.<groups>
 *                                                  a first pull in priority order (pull.repository
 *                                                  FIRST_PULL): at <pos> of <phase>, everything up to
 *                                                  <top>; <done> of about <total> rows sent
 *
 * <units> is a short hash of the person's materialised path (their unit and every ancestor);
 * <groups> is the bit mask of their member groups, in MEMBER_GROUPS order.
 */
import { createHash } from 'node:crypto'
import { MEMBER_GROUPS, type MemberGroup } from '../../../src/protocol/assignment.ts'

/** What a person's pull is scoped by, reduced to two short strings. */
export interface ScopeToken {
  units: string
  groups: string
}

/** Which tables a reset refetches: a moved unit changes every table, member groups only assignments. */
export type ResetWhat = 'all' | 'assignments'

export type PullCursor =
  | { kind: 'start' }
  | { kind: 'unscoped'; version: number }
  | { kind: 'at'; version: number; scope: ScopeToken }
  | { kind: 'reset'; pos: number; since: number; what: ResetWhat; scope: ScopeToken }
  | { kind: 'first'; phase: number; pos: number; top: number; done: number; total: number; scope: ScopeToken }

export function scopeToken(unitPath: string, groups: MemberGroup[]): ScopeToken {
  const mask = MEMBER_GROUPS.reduce((m, g, i) => (groups.includes(g) ? m | (1 << i) : m), 0)
  return { units: createHash('sha256').update(unitPath).digest('hex').slice(0, 10), groups: mask.toString(16) }
}

export function encodePullCursor(c: Exclude<PullCursor, { kind: 'start' | 'unscoped' }>): string {
  const scope = `${c.scope.units}.${c.scope.groups}`
  if (c.kind === 'first') return `f${c.phase}.${c.pos}.${c.top}.${c.done}.${c.total}.${scope}`
  return c.kind === 'at' ? `v${c.version}.${scope}` : `r${c.pos}.${c.since}.${c.what === 'all' ? 'a' : 'g'}.${scope}`
}

const NUM = '(\\d{1,15})'
const SCOPE = '([0-9a-f]{10})\\.([0-9a-f]{1,4})'
const AT = new RegExp(`^v${NUM}(?:\\.${SCOPE})?$`)
const RESET = new RegExp(`^r${NUM}\\.${NUM}\\.([ag])\\.${SCOPE}$`)
// Row counts stay below 10^9, which keeps the longest cursor within PullQuery's 80 characters.
const FIRST = new RegExp(`^f(\\d)\\.${NUM}\\.${NUM}\\.(\\d{1,9})\\.(\\d{1,9})\\.${SCOPE}$`)

/** Undefined for a cursor this server never gave. */
export function decodePullCursor(cursor: string | undefined): PullCursor | undefined {
  if (cursor === undefined || cursor === '') return { kind: 'start' }
  const at = AT.exec(cursor)
  if (at) {
    const version = Number(at[1])
    return at[2] ? { kind: 'at', version, scope: { units: at[2], groups: at[3]! } } : { kind: 'unscoped', version }
  }
  const f = FIRST.exec(cursor)
  if (f) {
    const [phase, pos, top, done, total] = f.slice(1, 6).map(Number) as [number, number, number, number, number]
    return { kind: 'first', phase, pos, top, done, total, scope: { units: f[6]!, groups: f[7]! } }
  }
  const r = RESET.exec(cursor)
  if (!r) return undefined
  return { kind: 'reset', pos: Number(r[1]), since: Number(r[2]), what: r[3] === 'a' ? 'all' : 'assignments', scope: { units: r[4]!, groups: r[5]! } }
}

/** What changed between the scope a cursor was made under and the person's scope now. */
export function resetNeeded(was: ScopeToken, now: ScopeToken): ResetWhat | undefined {
  if (was.units !== now.units) return 'all'
  return was.groups !== now.groups ? 'assignments' : undefined
}
