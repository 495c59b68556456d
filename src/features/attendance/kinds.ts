/**
 * The meeting types and mark statuses in screen order. Kept here rather than imported as values
 * from src/protocol/attendance.ts, which would pull TypeBox into the phone's bundle; the `satisfies`
 * checks keep both lists in step with the protocol.
 */
import type { MarkStatus, MeetingType } from '@/protocol/attendance.ts'

export const MEETING_TYPE_ORDER = [
  'group_meeting',
  'party_lecture',
  'theme_day',
  'branch_assembly',
  'branch_committee',
  'training',
  'home_delivery',
  'field_class',
] as const satisfies readonly MeetingType[]

export const MARK_BUTTONS = ['present', 'leave', 'absent', 'remote'] as const satisfies readonly MarkStatus[]
