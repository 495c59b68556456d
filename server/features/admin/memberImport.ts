/**
 * Member CSV import 批量导入党员: reads the file, checks every row and reports every problem
 * (row number, column, reason code). Nothing is written until a check finds no problem; the
 * import itself is one transaction (see import.routes.ts).
 *
 * Columns (header row; Chinese or English names, any order):
 *   姓名 name · 手机 phone · 党小组 group (unit id, or names from the root or from a unit where
 *   the importer holds a role, joined by "/": 桃园村党支部/第一党小组) · 流动党员 flowing ·
 *   老弱 elderly · 支委 committee (1/0, 是/否, yes/no; empty = no) · 入党日期 joined (YYYY-MM-DD).
 */
import type { Kysely } from 'kysely'
import type { ImportRowError } from '../../../src/protocol/admin.ts'
import { isReadableName, NAME_MAX } from '../../../src/protocol/names.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { ApiError } from '../../shared/errors.ts'
import type { Actor } from './access.ts'
import { parseCsv } from './csv.ts'

export const MAX_IMPORT_ROWS = 2000
export const MAX_IMPORT_BYTES = 512 * 1024

const COLUMNS = {
  name: ['name', '姓名'],
  phone: ['phone', '手机', '手机号', '电话'],
  group: ['group', '党小组', '组织', '所在组织'],
  flowing: ['flowing', '流动党员', '流动'],
  elderly: ['elderly', '老弱', '年老体弱'],
  committee: ['committee', '支委', '支部委员'],
  joined: ['joined', '入党日期', '入党时间'],
} as const
type Column = keyof typeof COLUMNS
const REQUIRED: Column[] = ['name', 'phone', 'group']

const PHONE = /^1[3-9]\d{9}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const YES = new Set(['1', '是', 'y', 'yes', 'true', '√'])
const NO = new Set(['', '0', '否', 'n', 'no', 'false'])
/** Dates are Beijing dates; stored as that day's midnight in UTC+8. */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000

export interface ImportRow {
  row: number
  name: string
  phone: string
  unit: OrgUnitRow
  groupLabel: string
  isFlowing: boolean
  isElderly: boolean
  isCommittee: boolean
  joinedPartyAt: number | null
}

export interface CheckResult {
  rows: ImportRow[]
  errors: ImportRowError[]
  total: number
}

function headerIndex(header: string[]): Partial<Record<Column, number>> {
  const index: Partial<Record<Column, number>> = {}
  header.forEach((raw, i) => {
    const h = raw.trim().toLowerCase()
    const column = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(h))
    if (column && index[column] === undefined) index[column] = i
  })
  const missing = REQUIRED.filter((c) => index[c] === undefined)
  if (missing.length) {
    throw new ApiError(400, 'CSV_COLUMNS', `The header row needs the columns ${missing.map((c) => COLUMNS[c].join('/')).join(', ')}.`, 'body.csv')
  }
  return index
}

function flag(value: string): boolean | undefined {
  const v = value.trim().toLowerCase()
  return YES.has(v) ? true : NO.has(v) ? false : undefined
}

function date(value: string): number | null | undefined {
  const v = value.trim()
  if (v === '') return null
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(v)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const at = Date.UTC(y, mo - 1, d)
  const back = new Date(at)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || at > Date.now()) return undefined
  return at - BEIJING_OFFSET_MS
}

/** Resolves "group" cells to units, each distinct value once. */
function groupResolver(db: Kysely<Database>, actor: Actor) {
  const cache = new Map<string, Promise<OrgUnitRow[]>>()
  const childNamed = (parentId: string, name: string) =>
    db.selectFrom('org_unit').selectAll().where('parent_id', '=', parentId).where('name', '=', name).execute()
  async function walk(from: OrgUnitRow[], names: string[]): Promise<OrgUnitRow[]> {
    let level = from
    for (const name of names) {
      level = (await Promise.all(level.map((u) => childNamed(u.id, name)))).flat()
      if (!level.length) break
    }
    return level
  }
  async function resolve(value: string): Promise<OrgUnitRow[]> {
    if (UUID.test(value)) return db.selectFrom('org_unit').selectAll().where('id', '=', value.toLowerCase()).execute()
    const names = value.split('/').map((s) => s.trim()).filter(Boolean)
    if (!names.length) return []
    const roots = await db.selectFrom('org_unit').selectAll().where('parent_id', 'is', null).where('name', '=', names[0]!).execute()
    const grantIds = [...new Set(actor.grants.map((g) => g.path.split('/').filter(Boolean).at(-1)!))]
    const bases = grantIds.length ? await db.selectFrom('org_unit').selectAll().where('id', 'in', grantIds).execute() : []
    // From the root, from a unit where the importer holds a role, or from just below it.
    const starts = [...roots, ...bases.filter((b) => b.name === names[0])]
    const found = [...(await walk(starts, names.slice(1))), ...(await walk(bases, names))]
    return [...new Map(found.map((u) => [u.id, u])).values()]
  }
  return (value: string) => {
    const key = value.trim()
    if (!cache.has(key)) cache.set(key, resolve(key))
    return cache.get(key)!
  }
}

async function existingPhones(db: Kysely<Database>, phones: string[]): Promise<Set<string>> {
  const taken = new Set<string>()
  for (let i = 0; i < phones.length; i += 500) {
    const rows = await db.selectFrom('person').select('phone').where('phone', 'in', phones.slice(i, i + 500)).execute()
    for (const r of rows) taken.add(r.phone)
  }
  return taken
}

/** Checks the whole file; throws 400 for a file that is not a member list, 413 for too many rows. */
export async function checkImport(db: Kysely<Database>, actor: Actor, csv: string): Promise<CheckResult> {
  const [header, ...records] = parseCsv(csv)
  if (!header) throw new ApiError(400, 'CSV_EMPTY', 'The file is empty.', 'body.csv')
  if (records.length > MAX_IMPORT_ROWS) {
    throw new ApiError(413, 'TOO_MANY_ROWS', `At most ${MAX_IMPORT_ROWS} members per file; split the file.`, 'body.csv')
  }
  const index = headerIndex(header.cells)
  const cellOf = (cells: string[], c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? '').trim())
  const resolveGroup = groupResolver(db, actor)
  const errors: ImportRowError[] = []
  const rows: ImportRow[] = []
  const seenPhones = new Set<string>()
  const phones = records.map((r) => cellOf(r.cells, 'phone').replace(/[\s-]/g, ''))
  const taken = await existingPhones(db, phones.filter((p) => PHONE.test(p)))

  for (const [i, record] of records.entries()) {
    const row = record.line
    const fail = (code: string, column: Column, value: string) => errors.push({ row, code, column, value })
    const before = errors.length
    const name = cellOf(record.cells, 'name')
    if (!name) fail('MISSING_NAME', 'name', name)
    else if (name.length > NAME_MAX) fail('NAME_TOO_LONG', 'name', name)
    else if (!isReadableName(name)) fail('BAD_NAME', 'name', name)

    const phone = phones[i]!
    if (!PHONE.test(phone)) fail('BAD_PHONE', 'phone', phone)
    else if (seenPhones.has(phone)) fail('DUPLICATE_PHONE_IN_FILE', 'phone', phone)
    else if (taken.has(phone)) fail('PHONE_EXISTS', 'phone', phone)
    if (PHONE.test(phone)) seenPhones.add(phone)

    const groupValue = cellOf(record.cells, 'group')
    const units = await resolveGroup(groupValue)
    const unit = units.length === 1 ? units[0]! : undefined
    if (units.length === 0) fail('UNKNOWN_GROUP', 'group', groupValue)
    else if (!unit) fail('AMBIGUOUS_GROUP', 'group', groupValue)
    else if (!actor.can(unit.path, 'secretary')) fail('GROUP_OUTSIDE', 'group', groupValue)
    else if (unit.retired_at) fail('GROUP_RETIRED', 'group', groupValue)

    const flags = { flowing: false, elderly: false, committee: false }
    for (const c of ['flowing', 'elderly', 'committee'] as const) {
      const value = flag(cellOf(record.cells, c))
      if (value === undefined) fail('BAD_FLAG', c, cellOf(record.cells, c))
      else flags[c] = value
    }
    const joined = date(cellOf(record.cells, 'joined'))
    if (joined === undefined) fail('BAD_DATE', 'joined', cellOf(record.cells, 'joined'))

    if (errors.length === before && unit) {
      rows.push({
        row,
        name,
        phone,
        unit,
        groupLabel: groupValue,
        isFlowing: flags.flowing,
        isElderly: flags.elderly,
        isCommittee: flags.committee,
        joinedPartyAt: joined ?? null,
      })
    }
  }
  return { rows, errors, total: records.length }
}
