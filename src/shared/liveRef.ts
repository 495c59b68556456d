import { liveQuery } from 'dexie'
import { shallowRef, type Ref } from 'vue'

/** Live refs still waiting for their first value. */
const loading = new Set<Promise<void>>()

/**
 * A ref that follows a Dexie query: when a pull or another tab writes the tables the query
 * read, the ref updates. For stores only (components never touch Dexie).
 */
export function liveRef<T>(query: () => Promise<T>, initial: T): Ref<T> {
  const r = shallowRef(initial) as Ref<T>
  let first!: () => void
  const loaded = new Promise<void>((resolve) => (first = resolve)).finally(() => loading.delete(loaded))
  loading.add(loaded)
  liveQuery(query).subscribe({
    next: (value) => {
      r.value = value
      first()
    },
    error: (err: unknown) => {
      console.error('live query failed', err)
      first()
    },
  })
  return r
}

/**
 * Resolves once every live ref made so far holds its first value: a block that waits for it
 * appears once, complete, instead of growing (and pushing the screen about) as each query answers.
 */
export async function liveRefsLoaded(): Promise<void> {
  await Promise.all([...loading])
}
