/**
 * Each person's exam paper: which questions, in which order, with options in which order. It is
 * derived from the exam's secret seed and the person id, so every request (and a reload of the
 * phone) gives the same paper and no paper table is needed. The seed never leaves the server,
 * so a member cannot compute another person's paper.
 */
import { createHash } from 'node:crypto'
import { letter, type Scorable } from '../../../src/protocol/quiz.scoring.ts'

export interface PaperItem {
  id: string
  /** Original option letters in the order this person sees them ([] for non-choice questions). */
  letters: string[]
}

/** A small deterministic generator (mulberry32) seeded from a hash of the inputs. */
function seeded(...parts: string[]): () => number {
  let a = createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0)
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** `count` questions from the candidates (fewer only if there are fewer), each with its option order. */
export function paperFor(seed: string, personId: string, candidates: readonly Scorable[], count: number): PaperItem[] {
  const random = seeded(seed, personId)
  // Sorted first, so the draw depends on the seed and person only, not on the snapshot's order.
  const pool = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return shuffled(pool, random)
    .slice(0, count)
    .map((q) => ({
      id: q.id,
      letters: q.type === 'single' || q.type === 'multiple' ? shuffled(q.options.map((_, i) => letter(i)), random) : [],
    }))
}
