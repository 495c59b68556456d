/** Reads the e2e server's SQLite file directly, to check what the server really holds. */
import SQLite from 'better-sqlite3'

export function queryServerDb<T>(dbFile: string, sql: string, ...params: unknown[]): T[] {
  const db = new SQLite(dbFile, { readonly: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}

/** A date `n` days from today as a date input wants it (YYYY-MM-DD, local time). */
export const dateInputInDays = (n: number) =>
  new Date(Date.now() + n * 86_400_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10)
