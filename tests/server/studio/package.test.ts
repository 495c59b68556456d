import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zipSync, strToU8 } from 'fflate'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { LessonVideo } from '../../../src/protocol/content.ts'
import type { CourseDraft, QuestionBankDraft, QuizDraft, StudioItem } from '../../../src/protocol/studio.ts'
import { importContent } from '../../../server/features/content/import.ts'
import { probeMp4File } from '../../../server/features/content/video.probe.ts'
import { localMediaStore } from '../../../server/features/media/mediaStore.ts'
import { findVideoJob, queueVideoJob } from '../../../server/features/video/videoJob.repository.ts'
import { runVideoJobs } from '../../../server/features/video/videoWorker.ts'
import { readZip, writeZip } from '../../../server/features/studio/package/zip.ts'
import { sizeLimitOf } from '../../../server/features/studio/package/package.import.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { makeTestVideo } from '../../support/ffmpegVideo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const [MEMBER, , , , , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)

const png = () => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 180, g: 20, b: 20 } } }).png().toBuffer()
const mp3 = () => Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(4000, 0x55)])
const elf = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2000, 0)])

/**
 * What a package says, independent of the ids each deployment gives: every Markdown/YAML file
 * without its `id:` lines (media paths are content hashes already), plus each media file's hash.
 */
function contentHashes(zip: Uint8Array): string[] {
  const files = readZip(zip, sizeLimitOf)
  const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex')
  return [...files]
    .map(([path, bytes]) => (path.startsWith('media/') ? `${path}:${sha(bytes)}` : sha(new TextDecoder().decode(bytes).replace(/^ *(- )?id: .*$/gm, ''))))
    .sort()
}

/** A course package written by hand, as a county would zip its own folder. */
const lessonFile = (over = '') => `---\nid: l1\ntitle: 第一讲\norder: 1\nminutes: ${over || '10'}\n---\n正文。\n`
const coursePackage = (extra: Record<string, Uint8Array> = {}, minutes = '') =>
  zipSync({
    'courses/c1/course.md': strToU8('---\nid: c1\ntitle: 合作社\nkind: specialty\ncategory: skills\ndescription: 讲合作社。\norder: 1\n---\n'),
    'courses/c1/01-first.md': strToU8(lessonFile(minutes)),
    ...extra,
  })

describe.each(DIALECTS)('studio packages on %s', (dialect) => {
  let from: TestContext
  let to: TestContext
  /** A second deployment with the demo content, so questions citing its lessons find them. */
  let fresh: TestContext
  let dirs: string[] = []
  /** A 2-second 480p H.264/AAC MP4 made by ffmpeg for this run (no video file is committed). */
  let video: Buffer
  const heads: Record<string, Headers> = {}

  const call = (ctx: TestContext, method: 'GET' | 'POST', url: string, headers: Headers, payload?: object | Buffer | Uint8Array) =>
    ctx.app.inject({ method, url: `/api/v1/studio${url}`, headers: { ...headers, ...(payload instanceof Uint8Array ? { 'content-type': 'application/zip' } : {}) }, payload: payload instanceof Uint8Array ? Buffer.from(payload) : payload })
  const district = (ctx: TestContext) => ctx.seed.units.find((u) => u.kind === 'district')!.id
  /** Submits by the editor and approves by the district admin: publishing still needs the second person. */
  async function publish(ctx: TestContext, editor: Headers, admin: Headers, id: string): Promise<StudioItem> {
    const item: StudioItem = (await call(ctx, 'GET', `/items/${id}`, editor)).json()
    const submitted = (await call(ctx, 'POST', `/items/${id}/submit`, editor, { revision: item.revision })).json()
    const approved = await call(ctx, 'POST', `/items/${id}/approve`, admin, { revision: submitted.revision })
    expect(approved.statusCode).toBe(200)
    return approved.json()
  }
  /** Rows an import writes, and the files of the media store: a refused package changes none. */
  const footprint = async (ctx: TestContext, dir: string) => ({
    items: Number((await ctx.testDb.db.selectFrom('studio_item').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    categories: Number((await ctx.testDb.db.selectFrom('pocket_category').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    media: (await readdir(dir, { recursive: true }).catch(() => [])).length,
    videoJobs: Number((await ctx.testDb.db.selectFrom('video_job').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  })

  beforeAll(async () => {
    dirs = await Promise.all([mkdtemp(join(tmpdir(), 'pkg-a-')), mkdtemp(join(tmpdir(), 'pkg-b-')), mkdtemp(join(tmpdir(), 'pkg-c-')), mkdtemp(join(tmpdir(), 'pkg-v-'))])
    makeTestVideo(join(dirs[3]!, 'v.mp4'), { seconds: 2, width: 640, height: 480 })
    video = await readFile(join(dirs[3]!, 'v.mp4'))
    from = await buildTestApp(dialect, { mediaStoreDir: dirs[0] })
    to = await buildTestApp(dialect, { mediaStoreDir: dirs[1] })
    fresh = await buildTestApp(dialect, { mediaStoreDir: dirs[2] })
    await importContent(from.testDb.db, undefined, Date.now(), { ffmpeg: false })
    await importContent(fresh.testDb.db, undefined, Date.now(), { ffmpeg: false })
    for (const [name, ctx] of [['a', from], ['b', to], ['c', fresh]] as const) {
      heads[`${name}Editor`] = await signIn(ctx.app, EDITOR!)
      heads[`${name}Admin`] = await signIn(ctx.app, ADMIN!)
    }
    heads.bMember = await signIn(to.app, MEMBER!)
  })
  afterAll(async () => {
    await Promise.all([from.close(), to.close(), fresh.close()])
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  it('exports a course and a pocket-book category, imports them elsewhere as drafts, and their content hashes match after publishing', async () => {
    const upload = async (bytes: Buffer, kind: string) =>
      (await from.app.inject({ method: 'POST', url: `/api/v1/studio/media?kind=${kind}`, headers: { ...heads.aEditor!, 'x-file-name': 'f', 'content-type': 'application/octet-stream' }, payload: bytes })).json().url as string
    const [cover, audio] = [await upload(await png(), 'image'), await upload(mp3(), 'audio')]
    const draft: CourseDraft = {
      type: 'course',
      title: '桃园村的合作社',
      kind: 'specialty',
      category: 'rural-revitalisation',
      description: '致富带头人讲合作社。',
      cover,
      lecturerId: null,
      lessons: [
        { title: '起步', minutes: 10, body: `三户人家先试种。\n\n![地头](${cover})`, audio },
        { title: '分红', minutes: 8, body: '按股分红，账目公开。', audio: null },
      ],
    }
    const made: StudioItem = (await call(from, 'POST', '/items', heads.aEditor!, { orgUnitId: district(from), draft })).json()
    const published = await publish(from, heads.aEditor!, heads.aAdmin!, made.id)

    const course = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=course&id=${published.contentId}`, heads.aEditor!)
    expect(course.statusCode).toBe(200)
    expect(course.headers['content-type']).toBe('application/zip')
    const pocket = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=pocket_category&id=law`, heads.aEditor!)
    expect(pocket.statusCode).toBe(200)
    const coursePaths = [...readZip(course.rawPayload, sizeLimitOf).keys()]
    expect(coursePaths.filter((p) => p.startsWith('media/u/'))).toHaveLength(2)
    expect(coursePaths.filter((p) => p.endsWith('.md'))).toHaveLength(3)

    const imported = []
    for (const zip of [course.rawPayload, pocket.rawPayload]) {
      const res = await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bEditor!, zip)
      expect(res.statusCode, res.body).toBe(201)
      imported.push(res.json())
    }
    expect(imported[0]).toMatchObject({ courses: 1, entries: 0, media: 2, warnings: [] })
    expect(imported[1]).toMatchObject({ courses: 0, categoriesAdded: ['law'] })
    expect(imported[1].entries).toBeGreaterThan(5)
    // Drafts of the importing unit: nothing reaches phones before review.
    const ids: string[] = imported.flatMap((r) => r.itemIds)
    for (const id of ids) expect((await call(to, 'GET', `/items/${id}`, heads.bEditor!)).json()).toMatchObject({ status: 'draft', orgUnitId: district(to), problems: [] })
    expect(await to.testDb.db.selectFrom('course').select('id').execute()).toEqual([])

    const contentIds = []
    for (const id of ids) contentIds.push((await publish(to, heads.bEditor!, heads.bAdmin!, id)).contentId)
    const again = await call(to, 'GET', `/package?orgUnitId=${district(to)}&kind=course&id=${contentIds[0]}`, heads.bEditor!)
    expect(contentHashes(again.rawPayload)).toEqual(contentHashes(course.rawPayload))
    const againPocket = await call(to, 'GET', `/package?orgUnitId=${district(to)}&kind=pocket_category&id=law`, heads.bEditor!)
    expect(contentHashes(againPocket.rawPayload)).toEqual(contentHashes(pocket.rawPayload))
  })

  it('exports a course with a video lesson (the original under media/), imports it elsewhere: processed off the request, published, pulled by members', async () => {
    // A finished studio upload, as videoUpload.routes.ts leaves it: the original in the store and a job.
    const stored = await localMediaStore(dirs[0]!).put(video, 'mp4')
    const uploadId = randomUUID()
    const info = probeMp4File(join(dirs[0]!, stored.key))
    const original: LessonVideo = { url: stored.url, bytes: stored.bytes, type: 'video/mp4', duration: info.duration, width: info.width, height: info.height }
    await queueVideoJob(from.testDb.db, { id: uploadId, sourcePath: join(dirs[0]!, stored.key), sourceSha256: stored.sha256, original, uploadedBy: null })
    const draft: CourseDraft = {
      type: 'course',
      title: '灭火器怎么用',
      kind: 'specialty',
      category: 'skills',
      description: '看一遍就会。',
      cover: null,
      lecturerId: null,
      lessons: [
        { title: '演示', minutes: 2, body: '', audio: null, video: uploadId },
        { title: '要点', minutes: 3, body: '拔销、对准、压把。', audio: null },
      ],
    }
    const made: StudioItem = (await call(from, 'POST', '/items', heads.aEditor!, { orgUnitId: district(from), draft })).json()
    const published = await publish(from, heads.aEditor!, heads.aAdmin!, made.id)
    const course = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=course&id=${published.contentId}`, heads.aEditor!)
    expect(course.statusCode, course.body).toBe(200)
    const files = readZip(course.rawPayload, sizeLimitOf)
    const path = stored.url.split('?')[0]!.slice(1)
    // The original's bytes, named in the lesson file as content:import reads a video lesson.
    expect(createHash('sha256').update(files.get(path)!).digest('hex')).toBe(stored.sha256)
    const lessonFile = [...files.keys()].find((p) => p.endsWith('.md') && !p.endsWith('course.md') && new TextDecoder().decode(files.get(p)).includes('video:'))!
    expect(parse(new TextDecoder().decode(files.get(lessonFile)).split('---')[1]!)).toMatchObject({ title: '演示', video: path })

    const res = await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bEditor!, course.rawPayload)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ courses: 1, media: 1, warnings: [] })
    const item: StudioItem = (await call(to, 'GET', `/items/${res.json().itemIds[0]}`, heads.bEditor!)).json()
    expect(item.problems).toEqual([])
    const jobId = (item.draft as CourseDraft).lessons[0]!.video!
    const job = await findVideoJob(to.testDb.db, jobId)
    expect(job).toMatchObject({ state: 'queued', source_sha256: stored.sha256 })
    expect(JSON.parse(job!.original)).toMatchObject({ bytes: video.length, width: 640, height: 480 })
    expect(await to.app.inject({ method: 'GET', url: `/api/v1/studio/videos/${jobId}`, headers: heads.bEditor! }).then((r) => r.statusCode)).toBe(200)

    // The worker (off the request path) makes the poster and the 省流 rendition.
    expect(await runVideoJobs({ db: to.testDb.db, store: localMediaStore(dirs[1]!), ffmpeg: true })).toBe(1)
    const done = await findVideoJob(to.testDb.db, jobId)
    expect(done!.state).toBe('done')
    const poster = await to.app.inject({ method: 'GET', url: (JSON.parse(done!.result!) as { poster: string }).poster })
    expect(poster.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))

    const republished = await publish(to, heads.bEditor!, heads.bAdmin!, item.id)
    const changes: { type: string; id: string; data: null | { video?: LessonVideo | null } }[] = []
    for (let since = '', more = true; more; ) {
      const page = (await to.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers: heads.bMember! })).json()
      changes.push(...page.changes)
      ;[since, more] = [page.cursor, page.more]
    }
    const lesson = changes.find((c) => c.type === 'lesson' && c.id === (item.draft as CourseDraft).lessons[0]!.id)
    expect(changes.some((c) => c.type === 'course' && c.id === republished.contentId)).toBe(true)
    expect(lesson?.data?.video).toMatchObject({ bytes: video.length, poster: expect.stringMatching(/^\/media\/u\//), renditions: [{ kind: 'hd' }, { kind: 'saver', height: 360 }] })

    // The zip is held in memory: videos past the package limit are refused by name, before any read.
    const row = await from.testDb.db.selectFrom('lesson').select(['id', 'video']).where('course_id', '=', published.contentId).where('video', 'is not', null).executeTakeFirstOrThrow()
    await from.testDb.db.updateTable('lesson').set({ video: JSON.stringify({ ...JSON.parse(row.video!), bytes: 300 * 1024 * 1024 }) }).where('id', '=', row.id).execute()
    const big = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=course&id=${published.contentId}`, heads.aEditor!)
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ code: 'PACKAGE_TOO_LARGE', message: expect.stringContaining(`"演示" (${path}, 300 MB)`) })
    expect(big.json().message).toContain('200 MB')
  })

  it('exports a question bank, imports it into another deployment as a draft, and its content hashes match after publishing', async () => {
    const question = (over: Partial<QuestionBankDraft['questions'][number]>): QuestionBankDraft['questions'][number] => ({
      type: 'single', stem: '党章由哪两部分组成？', options: ['总纲和条文', '序言和附则'], answer: ['A'], explanation: '总纲和条文。', source: 'constitution-basics-01', tags: ['党章'], ...over,
    })
    const draft: QuestionBankDraft = {
      type: 'question_bank',
      title: '党章小题库',
      exam: false,
      questions: [
        question({}),
        question({ type: 'multiple', stem: '哪些是入党条件？', options: ['年满十八岁', '承认党的纲领', '会开车'], answer: ['A', 'B'] }),
        question({ type: 'truefalse', stem: '党章由全国代表大会修改。', options: [], answer: ['true'], tags: [] }),
        question({ type: 'fill', stem: '条文共____章。', options: [], answer: ['十一', '11'], source: 'constitution-basics-02' }),
      ],
    }
    const made: StudioItem = (await call(from, 'POST', '/items', heads.aEditor!, { orgUnitId: district(from), draft })).json()
    const bankId = (await publish(from, heads.aEditor!, heads.aAdmin!, made.id)).contentId
    const bank = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=question_bank&id=${bankId}`, heads.aEditor!)
    expect(bank.statusCode, bank.body).toBe(200)
    expect([...readZip(bank.rawPayload, sizeLimitOf).keys()]).toEqual([`quizzes/banks/${bankId}.yaml`])

    const res = await call(fresh, 'POST', `/package?orgUnitId=${district(fresh)}`, heads.cEditor!, bank.rawPayload)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ courses: 0, entries: 0, banks: 1, quizzes: 0, warnings: [] })
    const imported: StudioItem = (await call(fresh, 'GET', `/items/${res.json().itemIds[0]}`, heads.cEditor!)).json()
    expect(imported).toMatchObject({ kind: 'question_bank', status: 'draft', problems: [], draft: { title: '党章小题库' } })
    const newBank = (await publish(fresh, heads.cEditor!, heads.cAdmin!, imported.id)).contentId
    expect(newBank).not.toBe(bankId)
    const again = await call(fresh, 'GET', `/package?orgUnitId=${district(fresh)}&kind=question_bank&id=${newBank}`, heads.cEditor!)
    expect(contentHashes(again.rawPayload)).toEqual(contentHashes(bank.rawPayload))
  })

  it('exports a quiz with its bank; imported, the quiz names the new bank’s questions and publishes after it', async () => {
    const quiz = await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=quiz&id=quiz-constitution-basics`, heads.aEditor!)
    expect(quiz.statusCode, quiz.body).toBe(200)
    const files = readZip(quiz.rawPayload, sizeLimitOf)
    expect([...files.keys()].sort()).toEqual(['quizzes/banks/bank-constitution-basics.yaml', 'quizzes/quiz-constitution-basics.yaml'])

    const res = await call(fresh, 'POST', `/package?orgUnitId=${district(fresh)}`, heads.cEditor!, quiz.rawPayload)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ banks: 1, quizzes: 1, warnings: [] })
    const [bankItem, quizItem]: StudioItem[] = await Promise.all(res.json().itemIds.map(async (id: string) => (await call(fresh, 'GET', `/items/${id}`, heads.cEditor!)).json()))
    const bankDraft = bankItem!.draft as QuestionBankDraft
    const quizDraft = quizItem!.draft as QuizDraft
    // The quiz asks the imported bank's questions (new ids), so it waits for the bank's publish.
    expect('fixed' in quizDraft.questions && quizDraft.questions.fixed.every((q) => bankDraft.questions.some((b) => b.id === q))).toBe(true)
    expect(quizItem!.problems.map((p) => p.field)).toEqual(['questions.fixed'])
    await publish(fresh, heads.cEditor!, heads.cAdmin!, bankItem!.id)
    const published = await publish(fresh, heads.cEditor!, heads.cAdmin!, quizItem!.id)
    const again = readZip((await call(fresh, 'GET', `/package?orgUnitId=${district(fresh)}&kind=quiz&id=${published.contentId}`, heads.cEditor!)).rawPayload, sizeLimitOf)
    const quizOf = (f: typeof files) => {
      const { id: _, questions, ...rest } = parse(new TextDecoder().decode([...f].find(([p]) => !p.startsWith('quizzes/banks/'))![1]))
      return { ...rest, count: questions.fixed.length }
    }
    expect(quizOf(again)).toEqual(quizOf(files))
    const bankHash = (f: typeof files) => contentHashes(writeZip(new Map([...f].filter(([p]) => p.startsWith('quizzes/banks/')))))
    expect(bankHash(again)).toEqual(bankHash(files))
  })

  it('leaves a question source the importing unit lacks empty, with a warning naming its line, and the draft shows the problem', async () => {
    const res = await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bEditor!, zipSync({ 'quizzes/banks/b.yaml': strToU8(bankFile('B').replace('source: l1', 'source: somewhere-else')) }))
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().warnings).toEqual(['quizzes/banks/b.yaml:10: source "somewhere-else" is not a lesson or pocket-book entry of this unit: left empty in the draft, pick one before submitting'])
    const item: StudioItem = (await call(to, 'GET', `/items/${res.json().itemIds[0]}`, heads.bEditor!)).json()
    expect((item.draft as QuestionBankDraft).questions[0]).toMatchObject({ source: '', answer: ['B'], options: ['按股', '按人头', '按年龄'] })
    expect(item.problems.map((p) => p.field)).toEqual(['questions.0.source'])
  })

  it('lets only editors, supervisors and admins export, and only courses on their unit’s line', async () => {
    const demo = `/package?orgUnitId=${district(from)}&kind=course&id=constitution-basics`
    expect((await call(from, 'GET', demo, await signIn(from.app, MEMBER!))).json().code).toBe('NOT_EDITOR')
    // The demo course's cover is an SVG: exported as it is, the importing side refuses it (below).
    expect((await call(from, 'GET', demo, heads.aEditor!)).statusCode).toBe(200)
    expect((await call(from, 'GET', `/package?orgUnitId=${district(from)}&kind=course&id=no-such-course`, heads.aEditor!)).statusCode).toBe(404)
  })

  const refusals: [string, () => Promise<Uint8Array> | Uint8Array, number, string, RegExp?][] = [
    ['a file that is not a zip', () => strToU8('PK but not really a zip file at all'), 400, 'PACKAGE_UNREADABLE'],
    ['a path that climbs out with ../', () => coursePackage({ '../../etc/cron.d/x.md': strToU8('x') }), 400, 'PACKAGE_UNSAFE_PATH'],
    ['an absolute path', () => coursePackage({ '/tmp/x.md': strToU8('x') }), 400, 'PACKAGE_UNSAFE_PATH'],
    ['a file name that is not UTF-8 (GBK)', gbkNamed, 400, 'PACKAGE_NAME_ENCODING'],
    ['a Markdown file over 1 MB', () => coursePackage({ 'pocket/x/big.md': strToU8(randomText(1_200_000)) }), 413, 'PACKAGE_TOO_LARGE'],
    ['a zip bomb (10 MB of zeros in a few KB)', () => coursePackage({ 'media/images/bomb.png': new Uint8Array(10 * 1024 * 1024) }), 413, 'PACKAGE_TOO_LARGE', /zip bomb/],
    ['an entry whose header lies about its size', lyingSize, 400, 'PACKAGE_UNREADABLE'],
    ['a lesson that breaks a content rule', () => coursePackage({}, '0'), 400, 'PACKAGE_INVALID', /^courses\/c1\/01-first\.md:5: "minutes" must be a whole number ≥ 1, got 0$/],
    ['a renamed program as an image', () => coursePackage({ 'courses/c1/02-two.md': strToU8('---\nid: l2\ntitle: 二\norder: 2\nminutes: 5\n---\n![x](media/images/x.png)\n'), 'media/images/x.png': elf() }), 415, 'UNSUPPORTED_MEDIA_TYPE', /^courses\/c1\/02-two\.md: media\/images\/x\.png: /],
    ['a bank whose answer is not among its options', () => coursePackage({ 'quizzes/banks/b.yaml': strToU8(bankFile('E')) }), 400, 'PACKAGE_INVALID', /^quizzes\/banks\/b\.yaml:8: answer "E" is not one of the options A, B, C$/],
    ['a quiz drawing more than its bank holds', () => coursePackage({ 'quizzes/banks/b.yaml': strToU8(bankFile('B')), 'quizzes/z.yaml': strToU8(quizFile) }), 400, 'PACKAGE_INVALID', /^quizzes\/z\.yaml:5: bank "b1" has 1 questions, fewer than count 5$/],
    ['a lesson whose video is not an MP4', () => coursePackage({ 'courses/c1/02-two.md': strToU8('---\nid: l2\ntitle: 二\norder: 2\nminutes: 5\nvideo: media/video/v.mp4\n---\n'), 'media/video/v.mp4': elf() }), 400, 'PACKAGE_INVALID', /^courses\/c1\/02-two\.md:6: video "media\/video\/v\.mp4": this is not an MP4 video/],
    ['a truncated MP4', () => coursePackage({ 'courses/c1/02-two.md': strToU8('---\nid: l2\ntitle: 二\norder: 2\nminutes: 5\nvideo: media/video/v.mp4\n---\n'), 'media/video/v.mp4': video.subarray(0, video.length / 2) }), 400, 'PACKAGE_INVALID', /^courses\/c1\/02-two\.md:6: video "media\/video\/v\.mp4": the file is truncated/],
    ['a file of another kind', () => coursePackage({ 'run.sh': strToU8('#!/bin/sh') }), 400, 'PACKAGE_INVALID'],
  ]

  it.each(refusals)('refuses %s with a clear answer and writes nothing', async (_name, make, status, code, message) => {
    const before = await footprint(to, dirs[1]!)
    const res = await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bEditor!, await make())
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().code).toBe(code)
    if (message) expect(res.json().message).toMatch(message)
    expect(await footprint(to, dirs[1]!)).toEqual(before)
  })

  it('refuses a clean package when its media fail late, storing nothing: the check runs before any write', async () => {
    const before = await footprint(to, dirs[1]!)
    const zip = coursePackage({
      'courses/c1/02-two.md': strToU8('---\nid: l2\ntitle: 二\norder: 2\nminutes: 5\naudio: media/audio/a.mp3\n---\n![x](media/images/ok.png) ![y](media/images/bad.png)\n'),
      'media/audio/a.mp3': mp3(),
      'media/images/ok.png': await png(),
      'media/images/bad.png': (await png()).subarray(0, 60),
    })
    const res = await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bEditor!, zip)
    expect(res.json().code).toBe('MEDIA_UNREADABLE')
    expect(await footprint(to, dirs[1]!)).toEqual(before)
  })

  it('refuses a member, and a declared size over the limit before reading the body', async () => {
    expect((await call(to, 'POST', `/package?orgUnitId=${district(to)}`, heads.bMember!, coursePackage())).json().code).toBe('NOT_EDITOR')
    const big = await to.app.inject({ method: 'POST', url: `/api/v1/studio/package?orgUnitId=${district(to)}`, headers: { ...heads.bEditor!, 'content-type': 'application/zip', 'content-length': String(300 * 1024 * 1024) }, payload: Buffer.from('x') })
    expect(big.statusCode).toBe(413)
  })
})

/** A one-question bank citing the package's lesson l1, as a county would write it. */
const bankFile = (answer: string) => `id: b1\ntitle: 合作社题库\nquestions:\n  - id: q1\n    type: single\n    stem: 分红按什么？\n    options: [按股, 按人头, 按年龄]\n    answer: ${answer}\n    explanation: 按股分红。\n    source: l1\n`
const quizFile = 'id: z1\ntitle: 小测\ndescription: 测一测。\nquestions:\n  draw: { bank: b1, count: 5 }\npassMark: 60\n'

/** Text that does not compress far (so the size limit, not the bomb ratio, refuses it). */
function randomText(n: number): string {
  let s = ''
  for (let x = 1; s.length < n; x = (x * 48271) % 2147483647) s += (x % 36).toString(36)
  return s
}

/** A zip made by a Chinese Windows: the name 党课.md in GBK bytes, no UTF-8 flag. */
function gbkNamed(): Uint8Array {
  const zip = zipSync({ 'XXXX.md': strToU8('x') })
  const gbk = [0xb5, 0xb3, 0xbf, 0xce]
  for (let i = 0; i < zip.length - 4; i++) {
    if (zip[i] === 0x58 && zip[i + 1] === 0x58 && zip[i + 2] === 0x58 && zip[i + 3] === 0x58) gbk.forEach((b, j) => (zip[i + j] = b))
  }
  return zip
}

/** A valid zip whose central directory says the file is 10 bytes; it inflates to more. */
function lyingSize(): Uint8Array {
  const zip = coursePackage({ 'pocket/x/a.md': strToU8('a'.repeat(5000)) })
  const view = new DataView(zip.buffer)
  for (let o = 0; o < zip.length - 46; o++) {
    if (view.getUint32(o, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(o + 46, o + 46 + 13)) === 'pocket/x/a.md') view.setUint32(o + 24, 10, true)
  }
  return zip
}
