/**
 * The check-in link: `/attendance/checkin?m=<meetingId>&c=<code>&t=<token>`, all optional. The
 * leader's QR code carries all three (MeetingCodePage): the token, ≥ 128 random bits made on the
 * leader's phone, is the proof that cannot be guessed, so a scanned check-in escapes the
 * typed-code lockout; QR codes of older phones (`m` + `c`) still work, judged as typed codes. A
 * list of meetings (my upcoming meetings, a study point's meetings open to visitors) links with
 * `m` alone and the member types the code shown in the room. A stable route: other features build
 * it with `checkinPath`, never by hand. `parseCheckinLink` reads a scanned one; anything else a
 * camera may see is not ours.
 */
import { CHECKIN_TOKEN_PATTERN } from '@/protocol/checkin.limits.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TOKEN = new RegExp(CHECKIN_TOKEN_PATTERN)

export interface CheckinLink {
  meetingId: string
  code: string
  /** Absent in QR codes of phones older than the token, or when it is garbled. */
  token?: string
}

export function parseCheckinLink(text: string): CheckinLink | null {
  let url: URL
  try {
    // A relative link is read against a placeholder origin: only the path and query matter.
    url = new URL(text.trim(), 'https://app.invalid')
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (!url.pathname.replace(/\/+$/, '').endsWith('/attendance/checkin')) return null
  const meetingId = url.searchParams.get('m')?.toLowerCase() ?? ''
  const code = url.searchParams.get('c') ?? ''
  if (!UUID.test(meetingId) || !/^\d{6}$/.test(code)) return null
  const token = url.searchParams.get('t') ?? ''
  // A garbled token is dropped: the code still checks in, as typed.
  return TOKEN.test(token) ? { meetingId, code, token } : { meetingId, code }
}

/** 18 random bytes (144 bits) from the phone's CSPRNG, base64url: made offline with the meeting. */
export function makeCheckinToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_')
}

/** The in-app check-in route, with the meeting, code and QR token filled in when known. */
export function checkinPath(meetingId?: string, code?: string, token?: string): string {
  const query = new URLSearchParams()
  if (meetingId) query.set('m', meetingId)
  if (code) query.set('c', code)
  if (token) query.set('t', token)
  const q = query.toString()
  return q ? `/attendance/checkin?${q}` : '/attendance/checkin'
}
