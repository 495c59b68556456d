/**
 * The database's name, and whether it exists yet, without loading Dexie (a third of the first
 * screen's code): on a first visit nothing is stored, so the login screen needs no Dexie at all.
 */
export const DB_NAME = 'pocket-party-school'

/** False only when the browser can say for certain that this phone holds no database yet. */
export async function databaseMayExist(): Promise<boolean> {
  if (typeof indexedDB === 'undefined' || !indexedDB.databases) return true
  try {
    return (await indexedDB.databases()).some((d) => d.name === DB_NAME)
  } catch {
    return true
  }
}
