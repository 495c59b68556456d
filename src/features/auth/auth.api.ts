import type { DeviceSession, LoginBody, LoginResponse, Profile } from '@/protocol/auth.ts'
import { api } from '@/shared/http.ts'

export const authApi = {
  login: (body: LoginBody) => api<LoginResponse>('POST', '/v1/auth/login', body),
  logout: () => api<void>('POST', '/v1/auth/logout'),
  me: () => api<Profile>('GET', '/v1/auth/me'),
  sessions: () => api<DeviceSession[]>('GET', '/v1/auth/sessions'),
  revoke: (id: string) => api<void>('DELETE', `/v1/auth/sessions/${encodeURIComponent(id)}`),
}
