/**
 * Resumable video download under a bad connection (`npm run bench:video`, issue 16). A generated
 * 100 MB file is served by the real media route (@fastify/static: ranges, ETag) behind a proxy
 * that cuts the connection at 5 random points mid-transfer; the phone's chunk downloader
 * (src/features/library/video/chunkDownload.ts, 1 MB chunks, in-memory store) fetches it in a
 * child process (bench/video-resume.client.ts).
 * Prints bytes sent over the wire, bytes sent twice (target ≤ 5 %), and that the result is exact.
 * BENCH_MB=20 tries a smaller file; BENCH_SEED fixes the cut points.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { promisify } from 'node:util'
import { mediaRoutes } from '../server/features/content/media.routes.ts'

const SIZE = Number(process.env.BENCH_MB ?? 100) * 1024 * 1024
const CUTS = 5
let seed = Number(process.env.BENCH_SEED ?? Date.now() % 100_000)
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)

const dir = mkdtempSync(join(tmpdir(), 'pps-video-bench-'))
mkdirSync(join(dir, 'video'))
const file = randomBytes(SIZE)
writeFileSync(join(dir, 'video/bench.mp4'), file)

const media = Fastify()
await media.register(mediaRoutes, { root: dir })
await media.listen({ port: 0, host: '127.0.0.1' })
const upstream = (media.server.address() as AddressInfo).port

// The bad network: after `cutAt[0]` bytes in total have gone out, the connection in flight dies.
const cutAt = Array.from({ length: CUTS }, () => Math.floor(random() * SIZE)).sort((a, b) => a - b)
let sent = 0
const proxy = createServer((req, res) => {
  const up = request({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
    res.writeHead(upRes.statusCode!, upRes.headers)
    upRes.on('data', (data: Buffer) => {
      const next = cutAt[0]
      if (next !== undefined && sent + data.length > next) {
        cutAt.shift()
        res.write(data.subarray(0, next - sent))
        sent = next
        upRes.destroy()
        res.socket?.destroy()
        return
      }
      sent += data.length
      res.write(data)
    })
    upRes.on('end', () => res.end())
  })
  req.pipe(up)
})
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`

const url = `${base}/media/video/bench.mp4?v=bench`
const started = performance.now()
const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/video-resume.client.ts', url, String(SIZE)], { maxBuffer: 1 << 20 })
const seconds = (performance.now() - started) / 1000
const row = JSON.parse(stdout.trim().split('\n').pop()!) as { state: string; sha256: string }
const same = row.sha256 === createHash('sha256').update(file).digest('hex')
const twice = sent - SIZE

console.log(`video resume bench: ${(SIZE / 1024 / 1024).toFixed(0)} MB file, ${CUTS} cuts (seed ${process.env.BENCH_SEED ?? 'random'}), 1 MB chunks`)
console.log(`  state ${row.state}, result identical to the file: ${same}`)
console.log(`  bytes sent ${sent.toLocaleString('en')}, sent twice ${twice.toLocaleString('en')} (${((twice / SIZE) * 100).toFixed(2)} %, target ≤ 5 %)`)
console.log(`  cuts left unused: ${cutAt.length}; time ${seconds.toFixed(1)} s`)

proxy.close()
await media.close()
rmSync(dir, { recursive: true, force: true })
