/**
 * The one Dexie database on the phone. Every schema change is a new `version(n)` step below;
 * a shipped version is never edited, so phones upgrade in order without losing their outbox.
 */
import Dexie, { type EntityTable } from 'dexie'
import type { Profile } from '@/protocol/auth.ts'

/** The signed-in device session, kept so a member stays signed in offline. */
export interface StoredSession {
  token: string
  sessionId: string
  expiresAt: number
  profile: Profile
}

/** Small named values: the session, sync cursors, the device id. */
export interface MetaRow {
  key: string
  value: unknown
}

export class PocketDb extends Dexie {
  meta!: EntityTable<MetaRow, 'key'>

  constructor(name = 'pocket-party-school') {
    super(name)
    this.version(1).stores({
      meta: 'key',
    })
  }
}

export const db = new PocketDb()
