/**
 * The archive as one spreadsheet: a heading block, the totals, then one table per section.
 * Headings are Chinese: the file goes to branch offices, not to programs.
 */
import type { ArchiveSummary } from '../../../src/protocol/archive.ts'
import { chinaDate } from '../plans/months.ts'
import type { ArchiveSections } from './archive.repository.ts'
import { toCsv, type CsvCell } from './csv.ts'

const MEETING_TYPE_ZH: Record<string, string> = {
  branch_assembly: '支部党员大会',
  branch_committee: '支部委员会',
  group_meeting: '党小组会',
  party_lecture: '党课',
  theme_day: '主题党日',
  training: '集中培训',
  home_delivery: '上门送学',
  field_class: '田间课堂',
  flowing: '流动党员组织生活',
}
const STATUS_ZH: Record<string, string> = { present: '出席', remote: '远程', checked_in: '签到', flowing: '一卡记录' }

export const meetingTypeZh = (type: string): string => MEETING_TYPE_ZH[type] ?? type

const hours = (seconds: number) => Math.round((seconds / 3600) * 10) / 10

export function archiveCsv(summary: ArchiveSummary, s: ArchiveSections): string {
  const t = summary.totals
  const rows: CsvCell[][] = [
    ['培训档案', summary.person.name, summary.person.orgUnitName, `${summary.year}年`],
    [],
    ['学习时长（小时）', '学习课件数', '学完课程数', '参加组织生活次数', '测试次数', '通过测试数', '上门送学次数'],
    [hours(t.studySeconds), t.lessonsStudied, t.coursesCompleted, t.meetingsAttended, t.quizAttempts, t.quizzesPassed, t.homeVisits],
    [],
    ['学习记录'],
    ['最近学习日期', '课件', '课程', '学习分钟', '是否学完'],
    ...s.lessons.map((l) => [chinaDate(l.lastAt), l.title, l.courseTitle, Math.round(l.seconds / 60), l.completed ? '是' : '否']),
    [],
    ['测试记录'],
    ['日期', '测试', '得分', '是否通过'],
    ...s.quizzes.map((q) => [chinaDate(q.at), q.title, q.score, q.passed ? '通过' : '未通过']),
    [],
    ['组织生活'],
    ['日期', '类型', '主题', '地点', '方式'],
    ...s.meetings.map((m) => [chinaDate(m.at), meetingTypeZh(m.type), m.topic, m.place, (STATUS_ZH[m.status] ?? m.status) + (m.guest ? '（外出参加）' : '')]),
    [],
    ['上门送学'],
    ['日期', '学习内容', '备注', '送学人'],
    ...s.visits.map((v) => [chinaDate(v.at), v.studied, v.note, v.visitedByName]),
  ]
  if (summary.retraining.length) {
    rows.push([], ['需重新学习（最近一次测试未通过）'], ['测试', '得分', '日期'])
    rows.push(...summary.retraining.map((r) => [r.title, r.score, chinaDate(r.at)]))
  }
  return toCsv(rows)
}
