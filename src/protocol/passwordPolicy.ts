/**
 * The one password policy, used by the server (which decides) and by the change-password form
 * (which explains it next to the field before anything is sent). It follows NIST SP 800-63B
 * rather than "one capital, one digit, one symbol" rules: length and a block-list of passwords
 * attackers try first protect better, and an elderly member can still remember the result.
 * No composition rules and no forced periodic change (unless PASSWORD_MAX_AGE_DAYS is set).
 */

export const PASSWORD_MIN_LENGTH = 8
/** scrypt's input is cheap to bound; nobody types more on a phone. */
export const PASSWORD_MAX_LENGTH = 64

/** Why a new password is refused; each maps to a message next to the field (i18n `password.problems.*`). */
export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'CONTAINS_PHONE' | 'TOO_COMMON'

/**
 * Passwords tried first by anyone guessing, compiled for this project from the patterns that top
 * every published leak list in China and abroad: number runs, repeated digits, keyboard rows,
 * "I love you" (woaini, 5201314 "我爱你一生一世"), lucky numbers and the word "password".
 * Repeated characters and straight runs of any length are caught by `looksGenerated` below.
 */
const COMMON_PASSWORDS = new Set([
  '12345678', '123456789', '1234567890', '0123456789', '11223344', '12341234', '12344321',
  '11112222', '12121212', '13141314', '13145200', '14725836', '147258369', '123123123',
  '123321123', '123654789', '159357159', '321321321', '456456456', '520520520', '5201314520',
  '52013140', '5201314a', '1314520520', '77585210', '88888888', '66666666', '11111111', '00000000',
  '99999999', '168168168', '16881688', '18881888', '12345679',
  'password', 'password1', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'password123', 'qwertyui', 'qwerty123',
  'qwertyuiop', 'asdfghjk', 'asdfghjkl', 'zxcvbnm1', '1qaz2wsx', 'qazwsxedc', '1q2w3e4r', '1q2w3e4r5t',
  'a1234567', 'a12345678', 'a123456789', 'aa123456', 'abc12345', 'abc123456', 'abcd1234', 'a1b2c3d4',
  'iloveyou', 'iloveyou1', 'woaini11', 'woaini123', 'woaini1314', 'woaini520', 'woainima', 'woaiwojia',
  'wodemima', 'mima1234', 'mima123456', 'zhongguo', 'china123', 'dangyuan', 'gongchandang',
  'welcome1', 'admin123', 'admin888', 'admin1234', 'root1234', 'test1234', 'demo1234', 'changeme',
  'letmein1', 'football', 'baseball', 'sunshine', 'princess', 'trustno1', 'superman', 'dragon12',
])

/** 11111111, 12345678, 87654321, abcdefgh: one repeated character or a straight run up or down. */
function looksGenerated(password: string): boolean {
  const codes = [...password].map((c) => c.charCodeAt(0))
  const steps = new Set(codes.slice(1).map((c, i) => c - codes[i]!))
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!)
}

/**
 * The first problem with `password`, or null when it may be used. `phone` is the account's own
 * number: its last 8 digits are what a neighbour would guess first (and cover the whole number).
 */
export function passwordProblem(password: string, phone: string): PasswordProblem | null {
  const chars = [...password]
  if (chars.length < PASSWORD_MIN_LENGTH) return 'TOO_SHORT'
  if (chars.length > PASSWORD_MAX_LENGTH) return 'TOO_LONG'
  if (phone.length >= 8 && password.includes(phone.slice(-8))) return 'CONTAINS_PHONE'
  const lower = password.toLowerCase()
  if (COMMON_PASSWORDS.has(lower) || looksGenerated(lower)) return 'TOO_COMMON'
  return null
}
