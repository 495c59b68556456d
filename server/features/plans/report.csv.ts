/** The monthly report as a spreadsheet: one row per figure, this month, last month, change. */
import type { MonthFigures, MonthlyReport } from '../../../src/protocol/plans.ts'
import { meetingTypeZh } from '../archive/archive.csv.ts'
import { toCsv, type CsvCell } from '../archive/csv.ts'

const hours = (seconds: number) => Math.round((seconds / 360)) / 10
const change = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round((a - b) * 10) / 10)

export function monthlyReportCsv(r: MonthlyReport): string {
  const figure = (label: string, pick: (f: MonthFigures) => number | null): CsvCell[] => {
    const a = pick(r.current)
    const b = pick(r.previous)
    return [label, a, b, change(a, b)]
  }
  const types = [...new Set([...r.current.meetings, ...r.previous.meetings].map((m) => m.type))]
  const held = (f: MonthFigures, type: string) => f.meetings.find((m) => m.type === type)?.held ?? 0
  const planned = (f: MonthFigures, type: string) => f.meetings.find((m) => m.type === type)?.planned ?? 0
  return toCsv([
    ['月度报告', r.orgUnit.name, r.month],
    [],
    ['指标', r.month, r.previousMonth, '变化'],
    figure('学习时长（小时）', (f) => hours(f.studySeconds)),
    figure('参学党员数', (f) => f.membersStudied),
    figure('党员总数', (f) => f.members),
    figure('召开会议数', (f) => f.meetingsHeld),
    figure('出席率（%）', (f) => f.attendanceRate),
    figure('测试人次', (f) => f.quizAttempts),
    figure('测试通过率（%）', (f) => f.quizPassRate),
    figure('新增流动党员记录', (f) => f.newFlowingRecords),
    [],
    ['会议类型', `${r.month} 召开`, `${r.month} 计划`, `${r.previousMonth} 召开`, `${r.previousMonth} 计划`],
    ...types.map((t) => [meetingTypeZh(t), held(r.current, t), planned(r.current, t), held(r.previous, t), planned(r.previous, t)]),
  ])
}
