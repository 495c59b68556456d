import type { Profile } from '@/protocol/auth.ts'
import type { Occupation } from '@/protocol/survey.ts'
import { api } from '@/shared/http.ts'

/** 我的 → 职业: online only (a rare change); the server sets it for the signed-in person alone. */
export const setOccupation = (occupation: Occupation | null) => api<Profile>('PUT', '/v1/auth/me/occupation', { occupation })
