import { liveQuery } from 'dexie'
import { shallowRef, type Ref } from 'vue'

/**
 * A ref that follows a Dexie query: when a pull or another tab writes the tables the query
 * read, the ref updates. For stores only (components never touch Dexie).
 */
export function liveRef<T>(query: () => Promise<T>, initial: T): Ref<T> {
  const r = shallowRef(initial) as Ref<T>
  liveQuery(query).subscribe({
    next: (value) => (r.value = value),
    error: (err: unknown) => console.error('live query failed', err),
  })
  return r
}
