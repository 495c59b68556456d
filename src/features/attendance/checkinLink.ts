/**
 * The check-in link: `/attendance/checkin?m=<meetingId>&c=<code>`, both optional. The leader's QR
 * code carries both (MeetingCodePage); a list of meetings (my upcoming meetings, a study point's
 * meetings open to visitors) links with `m` alone and the member types the code shown in the
 * room. A stable route: other features build it with `checkinPath`, never by hand.
 * `parseCheckinLink` reads a scanned one; anything else a camera may see is not ours.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface CheckinLink {
  meetingId: string
  code: string
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
  return { meetingId, code }
}

/** The in-app check-in route, with the meeting and/or code filled in when known. */
export function checkinPath(meetingId?: string, code?: string): string {
  const query = new URLSearchParams()
  if (meetingId) query.set('m', meetingId)
  if (code) query.set('c', code)
  const q = query.toString()
  return q ? `/attendance/checkin?${q}` : '/attendance/checkin'
}
