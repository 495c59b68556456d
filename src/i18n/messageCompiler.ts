import type { MessageCompiler, MessageContext } from 'vue-i18n'

/**
 * The whole message syntax this app uses: `{name}` and `{0}` placeholders, and plural choices
 * separated by `|` ("今天 | {n}天前 | {n}天前"). vue-i18n's own compiler (tokenizer, parser,
 * code generator for linked messages, modifiers and literals) cost the first screen ~5 KB gzip;
 * with this one the build drops vue-i18n's (`__INTLIFY_DROP_MESSAGE_COMPILER__` in vite.config.ts). A message with syntax
 * outside this set (`@:linked`, `{'literal'}`) would show its placeholders as they are written:
 * tests/unit/i18n/messageCompiler.test.ts holds every locale file to the set.
 */
const PLACEHOLDER = /\{\s*(\w+)\s*\}/g

type Part = string | { key: string }

function parse(text: string): Part[] {
  const parts: Part[] = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index))
    parts.push({ key: match[1]! })
    last = match.index + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return parts
}

function render(parts: Part[], ctx: MessageContext): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part
      const value = /^\d+$/.test(part.key) ? ctx.list(Number(part.key)) : ctx.named(part.key)
      return value == null ? '' : String(value)
    })
    .join('')
}

const compiled = new Map<string, ReturnType<MessageCompiler>>()

export const messageCompiler: MessageCompiler = (message) => {
  if (typeof message !== 'string') throw new TypeError('messages are plain strings in this app')
  let fn = compiled.get(message)
  if (!fn) {
    const choices = message.split('|').map((choice) => parse(choice.trim()))
    fn = choices.length === 1 ? (ctx: MessageContext) => render(choices[0]!, ctx) : (ctx: MessageContext) => ctx.plural(choices.map((c) => render(c, ctx)))
    compiled.set(message, fn)
  }
  return fn
}
