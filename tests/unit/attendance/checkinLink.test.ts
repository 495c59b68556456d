import { describe, expect, it } from 'vitest'
import { checkinPath, makeCheckinToken, parseCheckinLink } from '@/features/attendance/checkinLink.ts'

const ID = '0192f1c2-7b3a-7c01-9d2e-4f5a6b7c8d9e'

describe('reading a scanned check-in QR code', () => {
  it('reads the meeting and code from the link the leader’s phone shows', () => {
    expect(parseCheckinLink(`https://dangxiao.example.cn/attendance/checkin?m=${ID}&c=042917`)).toEqual({ meetingId: ID, code: '042917' })
  })

  it('reads a link of another host, a relative link, upper-case ids and surrounding spaces', () => {
    expect(parseCheckinLink(`http://192.168.1.5:8080/attendance/checkin?c=123456&m=${ID.toUpperCase()}`)).toEqual({ meetingId: ID, code: '123456' })
    expect(parseCheckinLink(` /attendance/checkin/?m=${ID}&c=123456\n`)).toEqual({ meetingId: ID, code: '123456' })
  })

  it('refuses anything that is not a check-in link', () => {
    for (const text of [
      '',
      'hello',
      '123456',
      `https://example.cn/pay?m=${ID}&c=123456`,
      `https://example.cn/attendance/checkin?m=${ID}`,
      `https://example.cn/attendance/checkin?m=${ID}&c=12345`,
      `https://example.cn/attendance/checkin?m=${ID}&c=12345a`,
      `https://example.cn/attendance/checkin?m=not-a-uuid&c=123456`,
      `javascript:alert(1)//attendance/checkin?m=${ID}&c=123456`,
      `weixin://attendance/checkin?m=${ID}&c=123456`,
    ]) {
      expect(parseCheckinLink(text), text).toBeNull()
    }
  })

  it('builds the in-app check-in route that other screens link to, and reads back what it built', () => {
    expect(checkinPath()).toBe('/attendance/checkin')
    expect(checkinPath(ID)).toBe(`/attendance/checkin?m=${ID}`)
    expect(parseCheckinLink(checkinPath(ID, '042917'))).toEqual({ meetingId: ID, code: '042917' })
  })

  it('reads the QR token the leader’s phone adds, and still reads an old code-only QR code', () => {
    const token = 'q3Xn8vA1-_bC9dE2fG7hJ4kL'
    expect(parseCheckinLink(`https://dangxiao.example.cn/attendance/checkin?m=${ID}&c=042917&t=${token}`)).toEqual({ meetingId: ID, code: '042917', token })
    expect(parseCheckinLink(checkinPath(ID, '042917', token))).toEqual({ meetingId: ID, code: '042917', token })
    // Old phones' QR codes carry no token: the code still checks in, judged as a typed one.
    expect(parseCheckinLink(`https://dangxiao.example.cn/attendance/checkin?m=${ID}&c=042917`)).toEqual({ meetingId: ID, code: '042917' })
  })

  it('drops a garbled or too short token but keeps the meeting and code', () => {
    for (const t of ['short', 'has space in it 0123456789', 'a'.repeat(65), 'plus+and/slash=0123456789ab']) {
      expect(parseCheckinLink(`/attendance/checkin?m=${ID}&c=042917&t=${encodeURIComponent(t)}`), t).toEqual({ meetingId: ID, code: '042917' })
    }
  })

  it('makes tokens of at least 128 random bits that survive the link', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => makeCheckinToken()))
    expect(tokens.size).toBe(50)
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/)
      expect(parseCheckinLink(checkinPath(ID, '000001', token))?.token).toBe(token)
    }
  })
})
