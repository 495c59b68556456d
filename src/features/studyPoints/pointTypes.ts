/**
 * Study point types in screen order, with their icon and map colour. Kept here rather than
 * imported as values from src/protocol/studyPoints.ts, which would pull TypeBox into the phone's
 * bundle; `satisfies` keeps the list in step with the protocol.
 */
import type { StudyPointType } from '@/protocol/studyPoints.ts'

export const POINT_TYPES = ['micro_party_school', 'teaching_point', 'education_base', 'field_classroom', 'workstation'] as const satisfies readonly StudyPointType[]

/** Distinct at a glance on the sketch map, and dark enough for white numbers (contrast ≥ 4.5). */
export const TYPE_COLOUR: Record<StudyPointType, string> = {
  micro_party_school: '#b71c1c',
  teaching_point: '#1a5fb4',
  education_base: '#7b3f00',
  field_classroom: '#26700f',
  workstation: '#6a1b9a',
}
