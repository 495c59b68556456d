import type { ChangePasswordBody, DeviceSession, LoginBody, LoginResponse, PrivacyAcceptBody, Profile, VerifyResponse } from '@/protocol/auth.ts'
import { api } from '@/shared/http.ts'

export const authApi = {
  login: (body: LoginBody) => api<LoginResponse>('POST', '/v1/auth/login', body),
  logout: () => api<void>('POST', '/v1/auth/logout'),
  me: () => api<Profile>('GET', '/v1/auth/me'),
  sessions: () => api<DeviceSession[]>('GET', '/v1/auth/sessions'),
  changePassword: (body: ChangePasswordBody) => api<Profile>('POST', '/v1/auth/password', body),
  acceptPrivacy: (body: PrivacyAcceptBody) => api<Profile>('POST', '/v1/auth/privacy', body),
  verify: (password: string) => api<VerifyResponse>('POST', '/v1/auth/verify', { password }),
  revoke: (id: string) => api<void>('DELETE', `/v1/auth/sessions/${encodeURIComponent(id)}`),
}
