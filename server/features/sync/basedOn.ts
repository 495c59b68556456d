/**
 * The one conflict rule for edits of a shared state (a member's attendance in a meeting, a record
 * card's review): an edit names the version it was based on, what the person's phone showed when
 * they made it. It replaces the current version only if its author had seen that version; an edit
 * made without seeing it is kept in history and not applied. Device clocks never decide.
 * See docs/sync-protocol.md, "Conflict rules".
 */

export interface Edit {
  id: string
  /** Who made it (from the session, never the payload). */
  author: string
  /**
   * The version seen: null = none (a fresh mark, a pending card); undefined = the phone is too old
   * to say (then it counts as having seen only its own author's edits: see `wins`).
   */
  basedOn: string | null | undefined
}

export interface CurrentVersion {
  id: string
  author: string
}

/**
 * Does `edit` replace `current`? Yes when nothing is current yet, or when `current` is what the edit
 * was based on, directly or through a chain of edits each based on the one before (a phone
 * offline for a day makes several edits; the server may have been told of the older ones only).
 * An edit from an old phone (no based-on) replaces only its own author's edit: a leader's later
 * correction of their own mark still works, another person's newer correction is not undone.
 *
 * @param basedOnOf what each known version of this state was based on (applied or not)
 */
export function wins(current: CurrentVersion | undefined, edit: Edit, basedOnOf: ReadonlyMap<string, string | null>): boolean {
  if (!current) return true
  if (edit.basedOn === undefined) return current.author === edit.author
  const walked = new Set<string>()
  // A chain longer than what is stored cannot name `current`; the set also stops a forged cycle.
  for (let id: string | null | undefined = edit.basedOn; id != null && !walked.has(id); id = basedOnOf.get(id)) {
    if (id === current.id) return true
    walked.add(id)
  }
  return false
}
