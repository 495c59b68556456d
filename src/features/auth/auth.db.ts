import { db, type StoredSession } from '@/db/db.ts'

export async function loadSession(): Promise<StoredSession | undefined> {
  const row = await db.meta.get('session')
  return row?.value as StoredSession | undefined
}

export async function saveSession(session: StoredSession): Promise<void> {
  const { token, sessionId, expiresAt, profile } = session
  await db.meta.put({ key: 'session', value: structuredClone({ token, sessionId, expiresAt, profile }) })
}

export async function clearSession(): Promise<void> {
  await db.meta.delete('session')
}
