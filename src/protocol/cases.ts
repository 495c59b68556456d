/**
 * 好的进教材 (issue 15, docs/studio.md): an excellent reflection proposed as a case for a studio
 * course (as a new lesson) or the pocket book (as a new entry). The author answers on their phone
 * through the outbox (`case_consent`); only an agreement puts the text into the studio drafts.
 * Shared by the server (TypeBox schemas) and the PWA (`import type` only).
 */
import { Type, type Static } from 'typebox'

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })

export const CaseTarget = Type.Union([Type.Literal('lesson'), Type.Literal('pocket_entry')])
export type CaseTarget = Static<typeof CaseTarget>

export const ProposeCaseBody = Type.Object(
  {
    reflectionId: Uuid,
    /** The studio unit the case is for: a district or township at or above the author's group. */
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    target: CaseTarget,
    /** `lesson`: the studio course (its studio item id) that gets the case as a new lesson. */
    courseItemId: Type.Optional(Type.String({ maxLength: 64 })),
    /** `pocket_entry`: the pocket-book category of the new entry. */
    category: Type.Optional(Type.String({ maxLength: 64 })),
    /** Title of the lesson or entry the case would become. */
    title: Type.String({ maxLength: 200 }),
    /** Why it was chosen, in the proposer's words: the author reads it before answering. */
    note: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
)
export type ProposeCaseBody = Static<typeof ProposeCaseBody>

export const CaseStatus = Type.Union([Type.Literal('asked'), Type.Literal('agreed'), Type.Literal('refused')])
export type CaseStatus = Static<typeof CaseStatus>

export const CaseProposal = Type.Object({
  id: Type.String(),
  reflectionId: Type.String(),
  /** The reflection as the author wrote it: what would be published. */
  text: Type.String(),
  authorName: Type.String(),
  branchName: Type.String(),
  proposedByName: Type.String(),
  unitName: Type.String(),
  target: CaseTarget,
  /** The course's title, or the pocket-book category's. */
  targetTitle: Type.String(),
  title: Type.String(),
  note: Type.String(),
  status: CaseStatus,
  /** The author's choice on agreeing: their name with the case, or only their branch. */
  showName: Type.Union([Type.Boolean(), Type.Null()]),
  createdAt: Type.Integer(),
  answeredAt: Type.Union([Type.Integer(), Type.Null()]),
  /** The studio item the case went into, once agreed. */
  draftItemId: Type.Union([Type.String(), Type.Null()]),
})
export type CaseProposal = Static<typeof CaseProposal>

export const CasePage = Type.Object({ items: Type.Array(CaseProposal), next: Type.Union([Type.String(), Type.Null()]) })
export type CasePage = Static<typeof CasePage>

export const MyCasesQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
})
export const UnitCasesQuery = Type.Object({
  orgUnitId: Type.String({ maxLength: 64 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
})

export const CaseTargetsQuery = Type.Object({ reflectionId: Uuid })

/**
 * Where the reader may propose a reflection: the studio units above its group open to them, each
 * with its studio courses (the 50 last edited), and the pocket-book categories.
 */
export const CaseTargets = Type.Object({
  units: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), courses: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })) })),
  categories: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
})
export type CaseTargets = Static<typeof CaseTargets>

/** The author's answer, from their phone through the outbox. */
export const CaseConsentPayload = Type.Object(
  {
    proposalId: Uuid,
    agree: Type.Boolean(),
    /** With `agree`: name the author with the case (else only "a member of <branch>"). */
    showName: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type CaseConsentPayload = Static<typeof CaseConsentPayload>
