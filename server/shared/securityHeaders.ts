/**
 * Security headers on every response: the app shell, the service worker, the API (JSON and CSV),
 * media and photos. The Content-Security-Policy is the one the built PWA runs under: every
 * script is a file of this origin (no inline script, no eval: vue-i18n's runtime compiles
 * messages without `new Function`), photos and the check-in QR code are data:/blob: images, audio
 * is served from /media/, and nothing may frame the app (clickjacking a roll call or a password
 * reset). The camera for QR scanning is getUserMedia, which CSP does not govern.
 */
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

export interface SecurityHeaderOptions {
  /** Send the policy as Content-Security-Policy-Report-Only: report, do not block (for a rollout). */
  cspReportOnly?: boolean
  /** Send HSTS on every response, e.g. when TLS ends at a proxy that sends no X-Forwarded-Proto. */
  hsts?: boolean
}

const DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Vue and Vant set element styles through the CSSOM, which CSP allows; no <style> is injected.
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  // Vant's icon font is inlined as a data: URL in its CSS.
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

/** A year, without includeSubDomains: the deployer's other hosts are not ours to pin to TLS. */
const HSTS = 'max-age=31536000'

export async function registerSecurityHeaders(app: FastifyInstance, { cspReportOnly = false, hsts = false }: SecurityHeaderOptions = {}): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: DIRECTIVES, reportOnly: cspReportOnly },
    // Sent below only when the request came over TLS: HSTS on plain HTTP is ignored at best and
    // locks a misconfigured deploy out at worst.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  })
  app.addHook('onRequest', async (request, reply) => {
    // request.protocol reads X-Forwarded-Proto only from a proxy TRUST_PROXY trusts.
    if (hsts || request.protocol === 'https') reply.header('strict-transport-security', HSTS)
  })
}
