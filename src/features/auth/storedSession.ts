/**
 * The session Dexie keeps (table `meta`, key `session`), read with plain IndexedDB: a signed-in
 * opening paints its first screen before Dexie (31 KB gzip) has loaded, and Dexie follows for
 * the content. Never creates or upgrades the database: that stays Dexie's job (src/db/db.ts).
 */
import type { StoredSession } from '@/db/db.ts'
import { DB_NAME } from '@/db/dbName.ts'

export function readStoredSession(): Promise<StoredSession | undefined> {
  return new Promise((resolve) => {
    const open = indexedDB.open(DB_NAME)
    // No database yet: abort, so none is created here (the open then fails: no session).
    open.onupgradeneeded = () => open.transaction?.abort()
    open.onerror = () => resolve(undefined)
    open.onblocked = () => resolve(undefined)
    open.onsuccess = () => {
      const idb = open.result
      // Dexie in another tab upgrading the schema must not wait for this short read.
      idb.onversionchange = () => idb.close()
      if (!idb.objectStoreNames.contains('meta')) {
        idb.close()
        return resolve(undefined)
      }
      const get = idb.transaction('meta', 'readonly').objectStore('meta').get('session')
      get.onsuccess = () => resolve((get.result as { value?: StoredSession } | undefined)?.value)
      get.onerror = () => resolve(undefined)
      get.transaction!.oncomplete = () => idb.close()
    }
  })
}
