import type { ArchiveLesson, ArchiveMeeting, ArchivePerson, ArchiveQuiz, ArchiveSection, ArchiveSummary, ArchiveVisit } from '@/protocol/archive.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent

export interface SectionRows {
  lessons: ArchiveLesson
  quizzes: ArchiveQuiz
  meetings: ArchiveMeeting
  visits: ArchiveVisit
}
export interface PageOf<T> {
  items: T[]
  next: string | null
}

export const archiveApi = {
  summary: (personId: string, year: number) => api<ArchiveSummary>('GET', `/v1/archive/${q(personId)}?year=${year}`),
  section: <S extends ArchiveSection>(personId: string, section: S, year: number, cursor?: string) =>
    api<PageOf<SectionRows[S]>>('GET', `/v1/archive/${q(personId)}/${section}?year=${year}&limit=50${cursor ? `&cursor=${q(cursor)}` : ''}`),
  people: (orgUnitId: string, name: string, cursor?: string) =>
    api<PageOf<ArchivePerson>>('GET', `/v1/archive-people?orgUnitId=${q(orgUnitId)}&q=${q(name)}&limit=30${cursor ? `&cursor=${q(cursor)}` : ''}`),
  csvPath: (personId: string, year: number) => `/v1/archive/${q(personId)}/export.csv?year=${year}`,
}
