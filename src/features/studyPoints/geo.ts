/**
 * Distances and walking times for the study-points list and map, computed on the phone (works
 * offline; no map service). Walking time assumes 4.5 km/h along paths 1.3× longer than the
 * straight line: village roads wind, and a "15-minute circle" is then about 870 m as the crow flies.
 */
export interface LatLng {
  lat: number
  lng: number
}

const EARTH_RADIUS_KM = 6371.0088
export const WALK_KMH = 4.5
export const DETOUR_FACTOR = 1.3
/** The learning circle's promise: a point within this many minutes' walk. */
export const CIRCLE_MINUTES = 15

const rad = (deg: number) => (deg * Math.PI) / 180

/** Great-circle distance in km (haversine). */
export function distanceKm(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat)
  const dLng = rad(b.lng - a.lng)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Whole minutes on foot, rounded up (a member would rather arrive early). */
export function walkingMinutes(km: number): number {
  return Math.max(1, Math.ceil(((km * DETOUR_FACTOR) / WALK_KMH) * 60))
}

/** Items with their distance from `origin`, nearest first (ties by name, so the order is stable). */
export function byDistance<T extends LatLng & { name: string }>(items: T[], origin: LatLng): (T & { km: number })[] {
  return items
    .map((item) => ({ ...item, km: distanceKm(origin, item) }))
    .sort((a, b) => a.km - b.km || a.name.localeCompare(b.name, 'zh-CN'))
}

/**
 * Flat x/y in km east and north of `origin` (equirectangular): exact enough for a sketch map of
 * a few tens of km, and needs no tiles.
 */
export function offsetKm(origin: LatLng, p: LatLng): { x: number; y: number } {
  const kmPerDegLat = (Math.PI * EARTH_RADIUS_KM) / 180
  return { x: (p.lng - origin.lng) * kmPerDegLat * Math.cos(rad(origin.lat)), y: (p.lat - origin.lat) * kmPerDegLat }
}

/** A scale bar length of 1, 2 or 5 × 10^n km that is at most `maxKm`. */
export function niceScaleKm(maxKm: number): number {
  const pow = 10 ** Math.floor(Math.log10(maxKm))
  return [5, 2, 1].map((m) => m * pow).find((v) => v <= maxKm) ?? pow
}

/** "850 米" / "3.2 公里" style parts: metres under 1 km, one decimal above. */
export function distanceParts(km: number): { value: string; unit: 'm' | 'km' } {
  if (km < 1) return { value: String(Math.max(10, Math.round((km * 1000) / 10) * 10)), unit: 'm' }
  return { value: km < 10 ? km.toFixed(1) : String(Math.round(km)), unit: 'km' }
}
