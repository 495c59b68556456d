import type { HomeVisit, Meeting, MeetingDetail, MyAttendance, RosterMember } from '@/protocol/attendance.ts'
import type { MeetingRate, MemberRate, UnitOverview } from '@/protocol/attendanceOverview.ts'
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
  overview: (orgUnitId: string) => api<{ unit: UnitOverview; parentId: string | null }>('GET', `/v1/attendance/overview?orgUnitId=${q(orgUnitId)}`),
  overviewUnits: (orgUnitId: string, cursor?: string) =>
    api<Page<UnitOverview>>('GET', `/v1/attendance/overview/units?orgUnitId=${q(orgUnitId)}${cursor ? `&cursor=${q(cursor)}` : ''}`),
  overviewMeetings: (orgUnitId: string, cursor?: string) =>
    api<Page<MeetingRate>>('GET', `/v1/attendance/overview/meetings?orgUnitId=${q(orgUnitId)}${cursor ? `&cursor=${q(cursor)}` : ''}`),
  overviewMembers: (orgUnitId: string, inactive: boolean, cursor?: string) =>
    api<Page<MemberRate>>(
      'GET',
      `/v1/attendance/overview/members?orgUnitId=${q(orgUnitId)}${inactive ? '&inactive=true' : ''}${cursor ? `&cursor=${q(cursor)}` : ''}`,
    ),
  homeVisits: (orgUnitId: string) => api<{ items: HomeVisit[] }>('GET', `/v1/attendance/home-visits?orgUnitId=${q(orgUnitId)}`),
}
