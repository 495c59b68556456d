/**
 * Check-in proof and lockout numbers, shared by the phone (QR parsing, messages) and the server
 * (the rule). No schema code here, so the PWA can import it without pulling TypeBox into its bundle.
 */

/** The QR code's token: at least 128 random bits, base64url. Only the QR code carries it, so it is never typed. */
export const CHECKIN_TOKEN_PATTERN = '^[A-Za-z0-9_-]{22,64}$'

/**
 * Typed codes are 6 digits, so wrong ones are counted (docs/security.md "Check-in codes"): after
 * this many in an hour a person's typed codes are refused until the hour has passed; after this
 * many against one meeting (from anyone) it accepts only the QR code's token.
 */
export const CHECKIN_WRONG_PER_PERSON_HOUR = 5
export const CHECKIN_WRONG_PER_MEETING = 30
