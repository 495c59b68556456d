/**
 * Reads the check-in link a leader's QR code carries (`/attendance/checkin?m=<meetingId>&c=<code>`,
 * see MeetingCodePage). Anything else a camera may see (a payment code, a web page) is not ours.
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
