/**
 * A phone's cached rows, kept the way the PWA keeps them (upsert, tombstone delete, and at the
 * end of a reset the sweep of rows the reset did not send), driven through the real pull route.
 */
import { expect } from 'vitest'
import type { PullChange, PullResponse, PullType } from '../../../src/protocol/content.ts'
import type { App } from '../../../server/app.ts'

export type Rows = Map<string, string>
const key = (type: PullType, id: string) => `${type}:${id}`

export async function pullPageVia(app: App, auth: { authorization: string }, since: string | undefined, limit?: number): Promise<PullResponse> {
  const qs = new URLSearchParams()
  if (since !== undefined) qs.set('since', since)
  if (limit !== undefined) qs.set('limit', String(limit))
  const res = await app.inject({ method: 'GET', url: `/api/v1/sync/pull?${qs}`, headers: auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** A phone in memory: rows by type:id, its cursor, and the ids a reset has sent so far. */
export class MemoryPhone {
  rows: Rows = new Map()
  cursor: string | undefined
  private received: Set<string> | undefined

  constructor(
    private readonly app: App,
    private readonly auth: { authorization: string },
    private readonly limit?: number,
  ) {}

  apply(page: PullResponse): void {
    const reset = (page as PullResponse & { reset?: { types: PullType[]; begins: boolean } }).reset
    if (reset?.begins || (reset && !this.received)) this.received = new Set()
    for (const c of page.changes) this.put(c)
    if (reset && !page.more) {
      for (const k of [...this.rows.keys()]) {
        if (reset.types.some((t) => k.startsWith(`${t}:`)) && !this.received!.has(k)) this.rows.delete(k)
      }
      this.received = undefined
    }
    this.cursor = page.cursor
  }

  private put(c: PullChange): void {
    const k = key(c.type, c.id)
    if (c.data) {
      this.rows.set(k, JSON.stringify(c.data))
      this.received?.add(k)
    } else {
      this.rows.delete(k)
      this.received?.delete(k)
    }
  }

  /** Follows `more` until the server has nothing further; returns the pages pulled. */
  async pull(): Promise<number> {
    for (let pages = 1; ; pages++) {
      const page = await pullPageVia(this.app, this.auth, this.cursor, this.limit)
      this.apply(page)
      if (!page.more) return pages
    }
  }
}

/** What a phone with nothing cached would hold after pulling everything now. */
export async function scratch(app: App, auth: { authorization: string }): Promise<Rows> {
  const phone = new MemoryPhone(app, auth)
  await phone.pull()
  return phone.rows
}

/** Keys present on one side only, or with different data: empty when the phone is right. */
export function differences(phone: Rows, truth: Rows): { missing: string[]; extra: string[]; stale: string[] } {
  return {
    missing: [...truth.keys()].filter((k) => !phone.has(k)),
    extra: [...phone.keys()].filter((k) => !truth.has(k)),
    stale: [...truth.keys()].filter((k) => phone.has(k) && phone.get(k) !== truth.get(k)),
  }
}

/** A small seeded generator (mulberry32): the same seed gives the same run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
