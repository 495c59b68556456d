/**
 * The area a phone asks for when a member taps 学习圈 "附近": a cell of a 0.1° grid, never its
 * position. Location is sensitive personal information (PIPL art. 28): it stays on the phone,
 * which sorts the points of the area by true distance itself. Why 0.1°: a cell is about 11 km
 * north–south and 10 km east–west in China, the size of a township, which the server knows of
 * every member anyway (their unit); finer would start to say which village they are in, coarser
 * would send thousands of points to a phone on a weak network. The server answers the cell and
 * its eight neighbours, so a point just across the cell's edge is still found (≥ 10 km in every
 * direction from anywhere in the cell: further than "15 minutes" by far).
 *
 * Plain functions without schema code: the phone imports them.
 */
export const AREA_CELL_DEGREES = 0.1
const CELLS_PER_DEGREE = 10

/** Grid indices: −900 … 899 north–south, −1800 … 1799 east–west. */
export const LAT_CELLS = { min: -90 * CELLS_PER_DEGREE, max: 90 * CELLS_PER_DEGREE - 1 }
export const LNG_CELLS = { min: -180 * CELLS_PER_DEGREE, max: 180 * CELLS_PER_DEGREE - 1 }

export interface AreaCell {
  latCell: number
  lngCell: number
}

const clamp = (n: number, { min, max }: { min: number; max: number }) => Math.min(max, Math.max(min, n))

/** The cell a position lies in (the pole and the 180° meridian fold into the last cell). */
export function areaCellOf(lat: number, lng: number): AreaCell {
  return { latCell: clamp(Math.floor(lat * CELLS_PER_DEGREE), LAT_CELLS), lngCell: clamp(Math.floor(lng * CELLS_PER_DEGREE), LNG_CELLS) }
}

/** The square of the cell and its eight neighbours, in integer micro-degrees, [min, max). */
export function cellBlockE6({ latCell, lngCell }: AreaCell): { latMin: number; latMax: number; lngMin: number; lngMax: number } {
  const e6 = (cell: number) => Math.round((cell * 1_000_000) / CELLS_PER_DEGREE)
  return { latMin: e6(latCell - 1), latMax: e6(latCell + 2), lngMin: e6(lngCell - 1), lngMax: e6(lngCell + 2) }
}
