import { defineStore } from 'pinia'
import { computed, ref, toRaw } from 'vue'
import type { Profile, RoleName } from '@/protocol/auth.ts'
import { PRIVACY_NOTICE_VERSION, ROLE_RANK } from '@/protocol/auth.constants.ts'
import { HttpError, useTokenFrom } from '@/shared/http.ts'
import { databaseMayExist } from '@/db/dbName.ts'
import { authApi } from './auth.api.ts'
import { readStoredSession } from './storedSession.ts'

/**
 * The session and personal data live in Dexie, which loads only once needed: a first visit shows
 * the login screen without it.
 */
async function local() {
  const [session, personal] = await Promise.all([import('./auth.db.ts'), import('./personalData.ts')])
  return { ...session, ...personal }
}

/** A short, human device name for the "signed-in devices" list. */
function deviceName(): string {
  const ua = navigator.userAgent
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac/.test(ua) ? 'Mac' : 'Linux'
  const browser = /MicroMessenger/.test(ua) ? 'WeChat' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : 'Safari'
  return `${os} · ${browser}`
}

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string>()
  const sessionId = ref<string>()
  const expiresAt = ref(0)
  const profile = ref<Profile>()
  useTokenFrom(() => token.value)

  const signedIn = computed(() => !!token.value && !!profile.value)
  /** Whether the person holds `min` or a higher role anywhere (menus only: the server decides). */
  function hasRole(min: RoleName): boolean {
    return !!profile.value?.roles.some((r) => ROLE_RANK[r.role] >= ROLE_RANK[min])
  }
  const isLeader = computed(() => hasRole('group_leader'))
  /** 课件工作室: editors, supervisors and admins (the editor role ranks with members, so it is named). */
  const usesStudio = computed(() => !!profile.value?.roles.some((r) => r.role === 'editor' || ROLE_RANK[r.role] >= ROLE_RANK.supervisor))

  function apply(next: { token: string; sessionId: string; expiresAt: number; profile: Profile } | undefined) {
    token.value = next?.token
    sessionId.value = next?.sessionId
    expiresAt.value = next?.expiresAt ?? 0
    profile.value = next?.profile
  }

  /**
   * Restores the session kept on the phone: works with no network, so members stay signed in
   * offline. Read without Dexie, so a signed-in opening paints before Dexie has loaded.
   */
  async function restore(): Promise<void> {
    if (!(await databaseMayExist())) return
    apply(await readStoredSession())
  }

  let claimed: Promise<void> | undefined
  /**
   * The restored person made whatever personal data is here (only matters once, on phones updated
   * from a version that did not record whose it was). Runs after the first paint, before the sync
   * engine starts and before home reads any personal data.
   */
  function personalDataClaimed(): Promise<void> {
    const personId = profile.value?.id
    claimed ??= personId ? local().then(({ claimPersonalData }) => claimPersonalData(personId, { adopt: true }).then(() => undefined)) : Promise.resolve()
    return claimed
  }

  /**
   * Signs in. When someone else used this phone before, their personal data is deleted first
   * (their unsent outbox records are kept for them). Returns whether that happened, so the page
   * can be reloaded and no screen keeps their data in memory.
   */
  async function login(phone: string, password: string): Promise<{ switchedPerson: boolean }> {
    const result = await authApi.login({ phone, password, deviceName: deviceName() })
    const { claimPersonalData, saveSession } = await local()
    const switchedPerson = await claimPersonalData(result.profile.id)
    await saveSession(result)
    apply(result)
    return { switchedPerson }
  }

  /** Records this person made on the phone that have not reached the server (sign-out warns). */
  function unsentRecords(): Promise<number> {
    const id = profile.value?.id
    return id ? local().then(({ countUnsent }) => countUnsent(id)) : Promise.resolve(0)
  }

  /**
   * Refreshes the profile when the server can be reached. Offline it keeps the cached profile;
   * only a definite 401 (session revoked or expired) signs the member out.
   */
  async function refreshProfile(): Promise<void> {
    if (!token.value) return
    try {
      const fresh = await authApi.me()
      profile.value = fresh
      const { saveSession } = await local()
      await saveSession({ token: token.value, sessionId: sessionId.value!, expiresAt: expiresAt.value, profile: toRaw(fresh) })
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) await forget()
    }
  }

  async function forget(): Promise<void> {
    const { clearSession } = await local()
    await clearSession()
    apply(undefined)
  }

  /** A one-time or expired password: the router keeps the person on the change screen. */
  const mustChangePassword = computed(() => !!profile.value?.mustChangePassword)

  /**
   * Changes the password (online only: the server checks the current one). The server signs out
   * the person's other devices; this one stays signed in with the fresh profile.
   */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await keepProfile(await authApi.changePassword({ currentPassword, newPassword }))
  }

  /** The server's answer becomes this device's profile, kept for offline starts. */
  async function keepProfile(fresh: Profile): Promise<void> {
    profile.value = fresh
    const { saveSession } = await local()
    await saveSession({ token: token.value!, sessionId: sessionId.value!, expiresAt: expiresAt.value, profile: toRaw(fresh) })
  }

  /** Has not accepted the current privacy notice: the router keeps the person on it (a client gate; the server only records). */
  const mustAcceptPrivacy = computed(() => !!profile.value && profile.value.privacyAcceptedVersion !== PRIVACY_NOTICE_VERSION)

  /** 同意并继续 (online only: the acceptance is a record the server keeps). */
  async function acceptPrivacy(): Promise<void> {
    await keepProfile(await authApi.acceptPrivacy({ version: PRIVACY_NOTICE_VERSION }))
  }

  /** Revokes the session on the server when reachable; the device forgets it either way. */
  async function logout(): Promise<void> {
    await authApi.logout().catch(() => undefined)
    await forget()
  }

  return {
    token,
    sessionId,
    profile,
    signedIn,
    isLeader,
    usesStudio,
    hasRole,
    mustChangePassword,
    mustAcceptPrivacy,
    acceptPrivacy,
    restore,
    personalDataClaimed,
    login,
    unsentRecords,
    refreshProfile,
    changePassword,
    logout,
    forget,
  }
})
