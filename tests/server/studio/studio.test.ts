import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CourseDraft, StudioItem } from '../../../src/protocol/studio.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { importContent } from '../../../server/features/content/import.ts'
import { claimVideoJob, finishVideoJob, queueVideoJob } from '../../../server/features/video/videoJob.repository.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const [MEMBER, , , SECRETARY, SUPERVISOR, ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)

const lesson = (title: string, body: string, minutes = 10) => ({ title, body, minutes, audio: null })
const course = (over: Partial<CourseDraft> = {}): CourseDraft => ({
  type: 'course',
  title: '桃园村的合作社',
  kind: 'specialty',
  category: 'rural-revitalisation',
  description: '致富带头人讲合作社怎样办起来。',
  cover: null,
  lecturerId: null,
  lessons: [lesson('起步', '## 起步\n\n三户人家先试种。'), lesson('分红', '按股分红，账目公开。', 8)],
  ...over,
})

describe.each(DIALECTS)('course studio on %s', (dialect) => {
  let ctx: TestContext
  let editor: Headers
  let admin: Headers
  let supervisor: Headers
  let member: Headers
  let secretary: Headers
  let districtId: string
  let item: StudioItem

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: object) => ctx.app.inject({ method, url: `/api/v1/studio${url}`, headers, payload })
  const pullAll = async (headers: Headers, since = '') => {
    const changes: { type: string; id: string; data: null | Record<string, unknown> }[] = []
    for (;;) {
      const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers })).json()
      changes.push(...page.changes)
      since = page.cursor
      if (!page.more) return { changes, cursor: since }
    }
  }

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    ;[editor, admin, supervisor, member, secretary] = await Promise.all([EDITOR, ADMIN, SUPERVISOR, MEMBER, SECRETARY].map((p) => signIn(ctx.app, p!)))
    districtId = ctx.seed.units.find((u) => u.kind === 'district')!.id
  })
  afterAll(() => ctx.close())

  it('lets an editor start a course draft for their unit, and nobody without the role', async () => {
    const made = await call('POST', '/items', editor, { orgUnitId: districtId, draft: course() })
    expect(made.statusCode).toBe(201)
    item = made.json()
    expect(item).toMatchObject({ status: 'draft', revision: 1, problems: [], canReview: false })
    expect(item.draft.type === 'course' && item.draft.lessons.every((l) => /^s-/.test(l.id!))).toBe(true)
    for (const who of [member, secretary]) {
      const refused = await call('POST', '/items', who, { orgUnitId: districtId, draft: course() })
      expect(refused.statusCode).toBe(403)
      expect(refused.json().code).toBe('NOT_EDITOR')
    }
    const township = ctx.seed.units.find((u) => u.kind === 'township')!.id
    expect((await call('GET', `/items?orgUnitId=${township}&kind=course`, editor)).statusCode).toBe(200)
    expect((await call('GET', `/items?orgUnitId=${districtId}&kind=course`, supervisor)).statusCode).toBe(403)
    const list = await call('GET', `/items?orgUnitId=${districtId}&kind=course&limit=1`, admin)
    expect(list.json().items.map((i: StudioItem) => i.title)).toEqual(['桃园村的合作社'])
  })

  it('lets a supervisor grant 课件编辑 on their township (not a secretary), which opens the studio there and nothing else', async () => {
    const township = ctx.seed.units.find((u) => u.kind === 'township')!
    const person = ctx.seed.people.find((p) => p.phone === MEMBER)!
    const grant = (headers: Headers, orgUnitId: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${person.id}/roles`, headers, payload: { role: 'editor', orgUnitId } })
    expect((await grant(secretary, township.id)).statusCode).toBe(403)
    const branch = ctx.seed.units.find((u) => u.kind === 'branch')!
    expect((await grant(supervisor, branch.id)).json().field).toBe('body.orgUnitId')
    expect((await grant(supervisor, township.id)).statusCode).toBe(200)
    expect((await call('GET', `/items?orgUnitId=${township.id}&kind=course`, member)).statusCode).toBe(200)
    expect((await call('GET', `/items?orgUnitId=${districtId}&kind=course`, member)).statusCode).toBe(403)
    // Ranked with members: no leader screen opens.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturers?orgUnitId=${township.id}`, headers: member })).statusCode).toBe(403)
  })

  it('refuses a stale save with 409 and both versions, never overwriting the other editor', async () => {
    const first = await call('PUT', `/items/${item.id}`, editor, { revision: 1, draft: { ...item.draft, title: '合作社（一）' } })
    expect(first.statusCode).toBe(200)
    expect(first.json().revision).toBe(2)
    const stale = await call('PUT', `/items/${item.id}`, admin, { revision: 1, draft: { ...item.draft, title: '合作社（管理员）' } })
    expect(stale.statusCode).toBe(409)
    expect(stale.json()).toMatchObject({ code: 'STALE_REVISION', mine: { title: '合作社（管理员）' }, theirs: { title: '合作社（一）', revision: 2 } })
    item = (await call('GET', `/items/${item.id}`, editor)).json()
    expect(item.draft.title).toBe('合作社（一）')
  })

  it('names the field of every content rule the draft breaks, and refuses to submit it', async () => {
    const d = item.draft as CourseDraft
    const bad = { ...d, category: 'gardening', lessons: [{ ...d.lessons[0]!, minutes: 0 }, { ...d.lessons[1]!, body: '  ' }] }
    const saved = (await call('PUT', `/items/${item.id}`, editor, { revision: item.revision, draft: bad })).json() as StudioItem
    expect(saved.problems.map((p) => p.field)).toEqual(['category', 'lessons.0.minutes', 'lessons.1.body'])
    expect(saved.problems[1]!.message).toMatch(/"minutes" must be a whole number ≥ 1/)
    const submit = await call('POST', `/items/${item.id}/submit`, editor, { revision: saved.revision })
    expect(submit.statusCode).toBe(400)
    expect(submit.json()).toMatchObject({ code: 'DRAFT_INVALID', field: 'draft.category' })
    // A lesson id the course never had is refused (ids are the server's).
    const hijack = await call('PUT', `/items/${item.id}`, editor, { revision: saved.revision, draft: { ...d, lessons: [{ ...d.lessons[0]!, id: 's-elsewhere' }] } })
    expect(hijack.json()).toMatchObject({ statusCode: 400, field: 'body.draft.lessons.0.id' })
    item = (await call('PUT', `/items/${item.id}`, editor, { revision: saved.revision, draft: d })).json()
    expect(item.problems).toEqual([])
  })

  it('needs a second person to approve, and a reason to send it back', async () => {
    item = (await call('POST', `/items/${item.id}/submit`, editor, { revision: item.revision })).json()
    expect(item.status).toBe('submitted')
    const self = await call('POST', `/items/${item.id}/approve`, editor, { revision: item.revision })
    expect(self.statusCode).toBe(403)
    expect(self.json().code).toBe('SELF_APPROVAL')
    expect((await call('POST', `/items/${item.id}/reject`, admin, { revision: item.revision, reason: ' ' })).json().field).toBe('body.reason')
    const rejected = (await call('POST', `/items/${item.id}/reject`, admin, { revision: item.revision, reason: '第二课补上分红的例子' })).json()
    expect(rejected).toMatchObject({ status: 'rejected', rejectReason: '第二课补上分红的例子' })
    // Nothing reached phones.
    expect((await pullAll(member)).changes.some((c) => c.id === item.contentId)).toBe(false)
  })

  it('publishes on approval: the diff shows the change, the member’s pull brings the course', async () => {
    const d = item.draft as CourseDraft
    const fixed = { ...d, lessons: [d.lessons[0]!, { ...d.lessons[1]!, body: '按股分红，账目公开。例如：一股一年分 300 元。' }] }
    item = (await call('PUT', `/items/${item.id}`, editor, { revision: item.revision, draft: fixed })).json()
    item = (await call('POST', `/items/${item.id}/submit`, editor, { revision: item.revision })).json()
    const diff = (await call('GET', `/items/${item.id}/diff`, admin)).json()
    expect(diff.againstVersion).toBeNull()
    expect(diff.lessons.map((l: { change: string }) => l.change)).toEqual(['added', 'added'])
    const reviewer = (await call('GET', `/items/${item.id}`, admin)).json()
    expect(reviewer.canReview).toBe(true)
    const approved = await call('POST', `/items/${item.id}/approve`, admin, { revision: item.revision })
    expect(approved.statusCode).toBe(200)
    item = approved.json()
    expect(item).toMatchObject({ status: 'published', publishedVersion: 1 })
    const { changes } = await pullAll(member)
    expect(changes.find((c) => c.type === 'course' && c.id === item.contentId)?.data).toMatchObject({ title: '合作社（一）', category: 'rural-revitalisation' })
    const lessons = changes.filter((c) => c.type === 'lesson' && c.data?.courseId === item.contentId)
    expect(lessons.map((l) => l.data!.title)).toEqual(['起步', '分红'])
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('action').where('target', '=', item.id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['studio.create', 'studio.save', 'studio.save', 'studio.save', 'studio.submit', 'studio.reject', 'studio.save', 'studio.submit', 'studio.publish'])
  })

  it('keeps studio courses when the files are imported again', async () => {
    await importContent(ctx.testDb.db)
    const row = await ctx.testDb.db.selectFrom('course').select('deleted_at').where('id', '=', item.contentId).executeTakeFirstOrThrow()
    expect(row.deleted_at).toBeNull()
  })

  it('publishes an edit as version 2, diffed per lesson; rollback makes version 1 the newest', async () => {
    const { cursor } = await pullAll(member)
    const d = item.draft as CourseDraft
    const edited = { ...d, title: '合作社（二）', lessons: [d.lessons[1]!, lesson('账目公开', '每月贴出来。', 5)] }
    item = (await call('PUT', `/items/${item.id}`, editor, { revision: item.revision, draft: edited })).json()
    item = (await call('POST', `/items/${item.id}/submit`, editor, { revision: item.revision })).json()
    const diff = (await call('GET', `/items/${item.id}/diff`, admin)).json()
    expect(diff.againstVersion).toBe(1)
    expect(diff.fields).toEqual([{ field: 'title', before: '合作社（一）', after: '合作社（二）' }])
    expect(diff.lessons.map((l: { title: string; change: string }) => `${l.change}:${l.title}`)).toEqual(['changed:分红', 'added:账目公开', 'removed:起步'])
    item = (await call('POST', `/items/${item.id}/approve`, admin, { revision: item.revision })).json()
    const after = await pullAll(member, cursor)
    const removed = d.lessons[0]!.id
    expect(after.changes.find((c) => c.id === removed)?.data).toBeNull()
    expect(after.changes.find((c) => c.id === item.contentId)?.data).toMatchObject({ title: '合作社（二）' })

    const rolled = (await call('POST', `/items/${item.id}/rollback`, admin, { version: 1 })).json()
    expect(rolled).toMatchObject({ publishedVersion: 3, draft: { title: '合作社（一）' } })
    const versions = (await call('GET', `/items/${item.id}/versions`, editor)).json().items
    expect(versions.map((v: { number: number; action: string; current: boolean }) => [v.number, v.action, v.current])).toEqual([
      [3, 'rollback', true],
      [2, 'publish', false],
      [1, 'publish', false],
    ])
    expect(versions[0].approvedByName).toBeTruthy()
    const back = await pullAll(member, after.cursor)
    expect(back.changes.find((c) => c.id === removed)?.data).toMatchObject({ title: '起步' })
    item = rolled
  })

  it('unpublishes: the next pull removes the course and its lessons from phones', async () => {
    const { cursor } = await pullAll(member)
    const res = await call('POST', `/items/${item.id}/unpublish`, editor)
    expect(res.json()).toMatchObject({ unpublished: true })
    const { changes } = await pullAll(member, cursor)
    const gone = changes.filter((c) => c.id === item.contentId || c.data?.courseId === item.contentId || (c.type === 'lesson' && c.data === null))
    expect(gone.length).toBeGreaterThanOrEqual(3)
    expect(gone.every((c) => c.data === null)).toBe(true)
    expect((await call('POST', `/items/${item.id}/unpublish`, editor)).statusCode).toBe(409)
  })

  it('publishes a pocket-book entry into a category of the book', async () => {
    const entry = { type: 'pocket_entry', title: '合作社分红三原则', category: 'nope', tags: ['合作社'], body: '公开、公平、按股。' }
    let e = (await call('POST', '/items', editor, { orgUnitId: districtId, draft: entry })).json() as StudioItem
    expect(e.problems).toEqual([{ field: 'category', message: expect.stringMatching(/category "nope" is not listed/) }])
    const category = (await ctx.testDb.db.selectFrom('pocket_category').select('id').executeTakeFirstOrThrow()).id
    e = (await call('PUT', `/items/${e.id}`, editor, { revision: e.revision, draft: { ...entry, category } })).json()
    e = (await call('POST', `/items/${e.id}/submit`, editor, { revision: e.revision })).json()
    e = (await call('POST', `/items/${e.id}/approve`, admin, { revision: e.revision })).json()
    expect(e.status).toBe('published')
    const { changes } = await pullAll(member)
    expect(changes.find((c) => c.type === 'pocketEntry' && c.id === e.contentId)?.data).toMatchObject({ title: '合作社分红三原则', category })
  })

  it('publishes a video lesson as content:import does: the upload’s video, its renditions once processed, notes below', async () => {
    // An upload the tus route accepted: its processing job is the video's reference.
    const uploadId = crypto.randomUUID()
    const original = { url: '/media/u/ab/abcd.mp4?v=abcd', bytes: 2048, type: 'video/mp4' as const, duration: 3, width: 640, height: 480 }
    await queueVideoJob(ctx.testDb.db, { id: uploadId, sourcePath: '/nowhere.mp4', sourceSha256: 'f'.repeat(64), original, uploadedBy: null })
    const draft = course({ title: '灭火器怎么用', lessons: [{ title: '演示', minutes: 3, body: '', audio: null, video: 'no-such-upload' }] })
    let v = (await call('POST', '/items', editor, { orgUnitId: districtId, draft })).json() as StudioItem
    // An id that is no upload is refused by name; a video lesson needs no notes (a text one does).
    expect(v.problems).toEqual([{ field: 'lessons.0.video', message: '"video" is not a video uploaded through the studio' }])
    const lessons = [{ ...(v.draft as CourseDraft).lessons[0]!, video: uploadId, body: '' }, lesson('想一想', '家里的灭火器放在哪里？')]
    v = (await call('PUT', `/items/${v.id}`, editor, { revision: v.revision, draft: { ...v.draft, lessons } })).json()
    expect(v.problems).toEqual([])
    v = (await call('POST', `/items/${v.id}/submit`, editor, { revision: v.revision })).json()
    v = (await call('POST', `/items/${v.id}/approve`, admin, { revision: v.revision })).json()
    expect(v.status).toBe('published')
    const first = await pullAll(member)
    const pulled = first.changes.filter((c) => c.type === 'lesson' && c.data?.courseId === v.contentId)
    expect(pulled.map((l) => l.data!.video ?? null)).toEqual([{ ...original, noSaver: 'pending' }, null])
    // Processing ends after publishing: the lesson gets the renditions, and phones pull them.
    const job = (await claimVideoJob(ctx.testDb.db))!
    expect(job.id).toBe(uploadId)
    const renditions = [{ kind: 'hd' as const, url: original.url, bytes: 2048, width: 640, height: 480 }]
    await finishVideoJob(ctx.testDb.db, job, { state: 'done', result: { poster: '/media/u/cd/p.jpg?v=cd', renditions, noSaver: 'small' } })
    const later = await pullAll(member, first.cursor)
    expect(later.changes.find((c) => c.id === pulled[0]!.id)?.data?.video).toMatchObject({ poster: '/media/u/cd/p.jpg?v=cd', renditions, noSaver: 'small' })
  })
})
