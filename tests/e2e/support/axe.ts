/**
 * Accessibility check with axe-core injected into the page. Serious and critical violations fail
 * the test and are printed in full, so the failure says which element and which rule.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

interface AxeNode {
  target: unknown[]
  html: string
  failureSummary?: string
}
interface AxeViolation {
  id: string
  impact?: string | null
  help: string
  helpUrl: string
  nodes: AxeNode[]
}

/** WCAG 2.2 level A and AA, as the elder-mode sweep checks every route. */
export const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

/**
 * Runs axe on the whole page; returns the serious/critical violations as readable text. With
 * `tags`, runs only the rules of those tags and returns violations of every impact.
 */
export async function axeViolations(page: Page, { tags }: { tags?: string[] } = {}): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the app's Content-Security-Policy does not govern;
  // an added <script> tag would be an inline script, which it refuses.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: unknown[] }> } }).axe
    return (await axe.run(document, only ? { runOnly: { type: 'tag', values: only } } : {})).violations
  }, tags)
  return (violations as AxeViolation[])
    .filter((v) => tags || v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.html}\n      ${n.failureSummary ?? ''}`).join('\n'),
    )
}
