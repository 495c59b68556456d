/**
 * `quiz_attempt`: a member finished a quiz, usually offline. The server scores it again from the
 * submitted answers against the quiz VERSION the phone showed (`quiz_snapshot`, migration 005);
 * the phone's score is kept for information and never used. The person is the signed-in person.
 * The attempt id is the phone's: an attempt resent under a new record id is still stored once.
 */
import { QuizAttemptPayload, type QuizSelection } from '../../../../src/protocol/quiz.ts'
import { answerShapeError, scoreQuiz, type QuizScore, type Scorable } from '../../../../src/protocol/quiz.scoring.ts'
import { visibleOrgUnits } from '../pull.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

/** Scores decided in authorize, by record id, for apply in the same batch. */
const scored = new WeakMap<KindContext, Map<string, QuizScore>>()

const invalid = (message: string, field: string): Refusal => ({ code: 'INVALID_PAYLOAD', message, field })

export const quizAttempt = defineKind({
  kind: 'quiz_attempt',
  payload: QuizAttemptPayload,
  async authorize(ctx, records) {
    const decided = new Map<string, QuizScore>()
    scored.set(ctx, decided)
    const visible = new Set(await visibleOrgUnits(ctx.trx, ctx.auth.personId))
    const quizIds = [...new Set(records.map((r) => r.payload.quizId))]
    const quizzes = await ctx.trx.selectFrom('quiz').select(['id', 'org_unit_id', 'exam_only']).where('id', 'in', quizIds).execute()
    const scope = new Map(quizzes.map((q) => [q.id, q.org_unit_id]))
    // An exam's quiz is taken only as an exam (kind exam_attempt): its window and attempts hold.
    const examOnly = new Set(quizzes.filter((q) => q.exam_only === 1).map((q) => q.id))
    const snapshots = await ctx.trx.selectFrom('quiz_snapshot').selectAll().where('quiz_id', 'in', quizIds).execute()
    const snapshot = new Map(snapshots.map((s) => [`${s.quiz_id}@${Number(s.version)}`, s]))

    return records.map((r): Refusal | null => {
      const p = r.payload
      const unit = scope.get(p.quizId)
      if (unit === undefined) return invalid(`Quiz "${p.quizId}" does not exist.`, 'payload.quizId')
      if (!visible.has(unit)) return { code: 'FORBIDDEN', message: 'This quiz is not open to you.', field: 'payload.quizId' }
      if (examOnly.has(p.quizId)) return { code: 'FORBIDDEN', message: 'This quiz is taken only as an exam.', field: 'payload.quizId' }
      const snap = snapshot.get(`${p.quizId}@${p.quizVersion}`)
      if (!snap) return invalid(`Quiz "${p.quizId}" has no version ${p.quizVersion}.`, 'payload.quizVersion')
      const selection = JSON.parse(snap.selection) as QuizSelection
      const candidates = new Map((JSON.parse(snap.questions) as Scorable[]).map((q) => [q.id, q]))
      const ids = p.answers.map((a) => a.questionId)
      if (new Set(ids).size !== ids.length) return invalid('A question is answered twice.', 'payload.answers')
      const expected = 'fixed' in selection ? selection.fixed.length : selection.draw.count
      if (ids.length !== expected) return invalid(`This quiz has ${expected} questions, the attempt answers ${ids.length}.`, 'payload.answers')
      if ('fixed' in selection && ids.some((id) => !selection.fixed.includes(id))) return invalid('An answered question is not in this quiz.', 'payload.answers')
      const asked: Scorable[] = []
      for (const [i, a] of p.answers.entries()) {
        const q = candidates.get(a.questionId)
        if (!q) return invalid(`Question "${a.questionId}" is not in this quiz.`, `payload.answers.${i}.questionId`)
        const problem = answerShapeError(q, a.answer)
        if (problem) return invalid(`The answer to "${a.questionId}" must be ${problem}.`, `payload.answers.${i}.answer`)
        asked.push(q)
      }
      decided.set(r.id, scoreQuiz(asked, new Map(p.answers.map((a) => [a.questionId, a.answer])), snap.pass_mark))
      return null
    })
  },
  async apply(ctx, records) {
    const decided = scored.get(ctx)!
    await ctx.trx
      .insertInto('quiz_attempt')
      .values(
        records.map((r) => {
          const s = decided.get(r.id)!
          return {
            id: r.payload.attemptId,
            person_id: r.personId,
            quiz_id: r.payload.quizId,
            quiz_version: r.payload.quizVersion,
            answers: JSON.stringify(r.payload.answers),
            correct: s.correct,
            total: s.total,
            score: s.score,
            passed: s.passed ? 1 : 0,
            client_score: r.payload.clientScore,
            started_at: r.payload.startedAt,
            device: r.deviceId,
            created_at: r.at,
            received_at: ctx.receivedAt,
          }
        }),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
  },
})
