/**
 * The outbox: every write a member makes goes here in the same Dexie transaction as its local
 * effect, and the push engine carries it to the server. Framework-free (no Vue, no Pinia) so the
 * service worker uses the same code.
 */
import Dexie from 'dexie'
import type { DeadLetterRecord, OutboxRecord, PocketDb, StoredSession } from '../../db/db.ts'
import type { OutboxKind, OutboxKinds } from '../../protocol/sync.ts'
import { correctedTime } from './clock.ts'
import { uuidv7 } from './uuidv7.ts'

const DEVICE_ID_KEY = 'deviceId'

/** Device id per database name (one in the app; tests open several). */
const deviceIds = new Map<string, string>()
let cachedOwner: string | undefined
const enqueueListeners = new Set<() => void>()

/**
 * This device's id: random, made once, kept in `meta`. Two tabs opening a fresh database at once
 * agree on one id because the read-or-create runs in one read-write transaction.
 */
export async function loadDeviceId(db: PocketDb): Promise<string> {
  const cached = deviceIds.get(db.name)
  if (cached) return cached
  const id = await db.transaction('rw', db.meta, async () => {
    const row = await db.meta.get(DEVICE_ID_KEY)
    if (typeof row?.value === 'string') return row.value
    const made = uuidv7()
    await db.meta.put({ key: DEVICE_ID_KEY, value: made })
    return made
  })
  deviceIds.set(db.name, id)
  return id
}

/**
 * Who owns new outbox records. The page sets it when the session changes; records made while
 * nobody is known carry no owner and go out under whoever is signed in next.
 */
export function setOutboxOwner(personId: string | undefined): void {
  cachedOwner = personId
}

/** Loads the device id and the signed-in person once the database opens (sticky: every reopen too). */
export function primeOutbox(db: PocketDb): void {
  db.on(
    'ready',
    async (vipDb) => {
      // Never let this fail the open: the outbox matters more than the cache.
      try {
        const d = vipDb as PocketDb
        const session = (await d.meta.get('session'))?.value as StoredSession | undefined
        if (session?.profile?.id && !cachedOwner) cachedOwner = session.profile.id
        const device = await d.meta.get(DEVICE_ID_KEY)
        if (typeof device?.value === 'string') deviceIds.set(d.name, device.value)
      } catch {
        // loadDeviceId() and the session read at push time cover the gap.
      }
    },
    true,
  )
}

/** Called after a transaction that enqueued something commits (the push engine debounces it). */
export function onEnqueued(listener: () => void): () => void {
  enqueueListeners.add(listener)
  return () => enqueueListeners.delete(listener)
}

/**
 * Adds a write to the outbox. Call it INSIDE the `db.transaction('rw', [db.outbox, …], …)` that
 * makes the write's local effect, so the screen and the outbox can never disagree: both commit or
 * neither does. Called outside a transaction it commits on its own.
 *
 * Offline this is all that happens; the record waits (across reloads, kills and app updates) until
 * the push engine gets it to the server, where its `id` makes replays harmless.
 *
 * @example
 * await db.transaction('rw', [db.progress, db.outbox], async () => {
 *   await db.progress.put(row)
 *   await enqueue(db, 'study_event', { lessonId, courseId, kind: 'completed', seconds })
 * })
 * @returns the record's id (UUIDv7), e.g. to show "waiting to sync" beside the write.
 */
export async function enqueue<K extends OutboxKind>(db: PocketDb, kind: K, payload: OutboxKinds[K]): Promise<string> {
  const createdAt = Date.now()
  const correctedAt = correctedTime(createdAt)
  const record: OutboxRecord = {
    // Made at the server-corrected time when known: the server judges a record's age by its id
    // (TOO_OLD), so a phone whose clock is a year behind must not make ids that look a year old.
    id: uuidv7(correctedAt ?? createdAt),
    kind,
    // A structured copy: reactive proxies and later edits by the caller never reach the outbox.
    payload: structuredClone(payload),
    createdAt,
    // The raw device time stays as data; the corrected one is what the phone believes is real.
    ...(correctedAt !== undefined ? { correctedAt } : {}),
    // Known once the database has opened (primeOutbox); a gap is filled in when the record is sent.
    deviceId: deviceIds.get(db.name) ?? '',
    attempts: 0,
  }
  if (cachedOwner) record.personId = cachedOwner
  await db.outbox.add(record)
  const tx = Dexie.currentTransaction
  if (tx) tx.on('complete', notifyEnqueued)
  else notifyEnqueued()
  return record.id
}

function notifyEnqueued(): void {
  for (const listener of enqueueListeners) listener()
}

export function countOutbox(db: PocketDb): Promise<number> {
  return db.outbox.count()
}

export function listDeadLetters(db: PocketDb): Promise<DeadLetterRecord[]> {
  return db.deadLetter.orderBy('movedAt').reverse().toArray()
}

/**
 * Sends a refused record again, optionally corrected: ALWAYS under a new id that names the old one
 * (`replaces`), since the server answers a replay of an answered id with its first answer. The
 * refused record stays listed, marked with its correction, so the member sees what became of it.
 * One transaction, so the correction is queued and noted together or not at all.
 * @returns the new record's id
 */
export async function requeueDeadLetter(db: PocketDb, id: string, payload?: unknown): Promise<string | undefined> {
  const newId = await db.transaction('rw', [db.outbox, db.deadLetter], async () => {
    const dead = await db.deadLetter.get(id)
    if (!dead || dead.correctedBy) return undefined
    const { code: _c, message: _m, field: _f, movedAt: _t, lastError: _e, correctedBy: _b, correction: _n, ...record } = dead
    const fresh = uuidv7()
    await db.outbox.add({
      ...record,
      id: fresh,
      replaces: id,
      payload: payload === undefined ? dead.payload : structuredClone(payload),
      attempts: 0,
    })
    await db.deadLetter.update(id, { correctedBy: fresh, correction: 'waiting' })
    return fresh
  })
  if (newId) notifyEnqueued()
  return newId
}

/** The member chose to throw a refused record away. */
export async function discardDeadLetter(db: PocketDb, id: string): Promise<void> {
  await db.deadLetter.delete(id)
}
