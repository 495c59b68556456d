/**
 * TRUST_PROXY: which hops in front of the server may say who the client is (X-Forwarded-For,
 * X-Forwarded-Proto). Trusting every hop (Fastify's `true`) would let a client pick its own
 * address, and with it the key of the per-address login limit, by sending X-Forwarded-For itself.
 */
import { isIP } from 'node:net'

/** proxy-addr's names for address ranges, accepted beside addresses and CIDRs. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true
  const [address = '', bits, extra] = entry.split('/')
  const family = isIP(address)
  if (!family || extra !== undefined) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

/** Fastify's trustProxy, in the forms this server uses: none, a hop rule, or proxy addresses. */
export type TrustProxy = false | ((address: string, hop: number) => boolean) | string[]

/**
 * Unset, empty or `0`: trust no proxy (the socket address is the client). A whole number n:
 * trust n hops, so `1` is one load balancer and the client is the last address it appended.
 * (Fastify 5 itself treats a bare number as "trust none", so the hop rule is a function here.
 * A hop count trusts whoever connects, so it is safe only when nothing but the proxy can reach
 * the server; a list of the proxies' addresses is safe either way.) Otherwise a comma-separated
 * list of addresses or CIDRs. Anything else stops the server at start, rather than guessing.
 */
export function trustProxyFrom(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? ''
  if (text === '' || text === '0') return false
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    return (_address, hop) => hop < hops
  }
  const entries = text.split(',').map((e) => e.trim())
  const bad = entries.find((e) => !isAddressOrRange(e))
  if (bad !== undefined) {
    throw new Error(`TRUST_PROXY must be a number of proxy hops or a list of proxy addresses/CIDRs, not "${bad}"`)
  }
  return entries
}
