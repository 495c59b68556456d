/**
 * The one rule for a name that people read (a person's, a unit's, a lecturer's): it enters through
 * the admin forms, the member import and the lecturer pool, and is shown on rosters, printed
 * password lists, CSV exports and the audit log. So it must be text a reader sees as it is:
 * - no control characters (NUL, tab, newline) and no line or paragraph separators;
 * - no bidirectional controls (an RTL override makes "王五" display as something else);
 * - no lone surrogate (not text: PostgreSQL refuses it, a CSV turns it into garbage);
 * - at least one visible character (not only spaces or zero-width characters).
 */
const FORBIDDEN = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ud800-\\udfff]'
const VISIBLE = '[^\\s\\u200b-\\u200d\\u2060\\ufeff]'

/** As a JSON-schema pattern (Ajv compiles it with the `u` flag, so a lone surrogate is seen). */
export const NAME_PATTERN = `^(?!.*${FORBIDDEN})(?=.*${VISIBLE})`
export const NAME_MAX = 60

const NAME = new RegExp(NAME_PATTERN, 'su')

/** True when `name` (already trimmed) may be stored as a name. */
export function isReadableName(name: string): boolean {
  return NAME.test(name)
}
