/**
 * The phone's position, asked for only when the member taps "near me" (never on page load: a
 * permission prompt nobody asked for is refused, and then cannot be asked again).
 */
import { askConsent } from '@/shared/consent.ts'
import type { LatLng } from './geo.ts'

export type LocationFailure = 'denied' | 'unavailable'

export async function currentPosition(): Promise<LatLng> {
  // Refused consent reads like a refused permission: the page offers the township list instead.
  if (!(await askConsent('location'))) throw 'denied' satisfies LocationFailure
  return new Promise((resolve, reject: (reason: LocationFailure) => void) => {
    if (!('geolocation' in navigator)) return reject('unavailable')
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
      (err) => reject(err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable'),
      // A rough fix is enough to sort points, but a fresh one: the member may just have travelled.
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 0 },
    )
  })
}
