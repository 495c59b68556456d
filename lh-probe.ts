import { startServer } from './tests/e2e/support/server.ts'
import { launchForLighthouse } from './tests/e2e/support/lighthouse.ts'
import lighthouse from 'lighthouse'
const server = await startServer(); const chrome = await launchForLighthouse()
const r = await lighthouse(`${server.url}/login`, { port: chrome.port, logLevel: 'error', onlyCategories: ['performance'] }, { extends: 'lighthouse:default', settings: { throttling: { cpuSlowdownMultiplier: Number(process.env.CPU ?? 4) } } })
const lhr = r!.lhr
console.log(lhr.categories.performance!.score, lhr.audits['first-contentful-paint']!.numericValue, lhr.audits['largest-contentful-paint']!.numericValue)
for (const id of ['largest-contentful-paint-element', 'lcp-phases', 'render-blocking-resources', 'network-rtt']) console.log(id, JSON.stringify(lhr.audits[id]?.details)?.slice(0, 1500))
const nr = (lhr.audits['network-requests']!.details as any).items
for (const i of nr) console.log(Math.round(i.networkRequestTime), Math.round(i.networkEndTime), i.protocol, i.resourceType, i.transferSize, i.url.replace(server.url, ''))
await chrome.close(); await server.stop()
