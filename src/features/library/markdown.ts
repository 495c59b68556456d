/**
 * Lesson and entry text: Markdown rendered by markdown-it and sanitised by DOMPurify before it
 * reaches v-html. Content is authored by admins, but a phone must never run script from it.
 * Only loaded by reader pages (its own chunk).
 */
import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

const md = new MarkdownIt({ html: true, linkify: false, breaks: false })

// Images load lazily and scale to the screen; links leave the app in a new tab.
const defaultImage = md.renderer.rules.image!
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('loading', 'lazy')
  return defaultImage(tokens, idx, options, env, self)
}

let hooked = false
function purifier(): typeof DOMPurify {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')?.match(/^https?:/)) {
        node.setAttribute('target', '_blank')
        node.setAttribute('rel', 'noopener noreferrer')
      }
    })
    hooked = true
  }
  return DOMPurify
}

export function renderMarkdown(source: string): string {
  return purifier().sanitize(md.render(source), {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
  })
}
