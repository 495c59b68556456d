import type { HomeVisit, Meeting, MeetingDetail, MyAttendance, RosterMember } from '@/protocol/attendance.ts'
import { api } from '@/shared/http.ts'

interface Page<T> {
  items: T[]
  next: string | null
}

const q = encodeURIComponent

export const attendanceApi = {
  roster: (groupId: string, cursor?: string) =>
    api<Page<RosterMember>>('GET', `/v1/attendance/groups/${q(groupId)}/roster?limit=200${cursor ? `&cursor=${q(cursor)}` : ''}`),
  meetings: (orgUnitId: string, cursor?: string) =>
    api<Page<Meeting>>('GET', `/v1/attendance/meetings?orgUnitId=${q(orgUnitId)}${cursor ? `&cursor=${q(cursor)}` : ''}`),
  meeting: (id: string) => api<MeetingDetail>('GET', `/v1/attendance/meetings/${q(id)}`),
  mine: () => api<MyAttendance>('GET', '/v1/attendance/me'),
  homeVisits: (orgUnitId: string) => api<{ items: HomeVisit[] }>('GET', `/v1/attendance/home-visits?orgUnitId=${q(orgUnitId)}`),
}
