/**
 * PINs: generated from a CSPRNG without modulo bias, stored only as an HMAC bound to their pinId,
 * compared in constant time. Web Crypto only.
 */
const encoder = new TextEncoder()

export type PinType = 'NUMERIC' | 'ALPHA' | 'HEX' | 'ALPHANUMERIC'

// Upper case only and no look-alike-free trimming: these are Infobip's pin types, and users type
// what the SMS shows. Verification upper-cases input for the letter types (see normalizePinInput).
export const PIN_ALPHABETS: Record<PinType, string> = {
  NUMERIC: '0123456789',
  ALPHA: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  HEX: '0123456789ABCDEF',
  ALPHANUMERIC: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
}

/**
 * Appends to `out` the symbols of `alphabet` that `bytes` encode without bias: bytes at or above
 * the largest multiple of the alphabet size are thrown away (rejection sampling), so every symbol
 * is equally likely — `byte % size` alone would favour the first `256 % size` symbols.
 */
function appendUnbiasedSymbols(out: string, bytes: Uint8Array, alphabet: string, length: number): string {
  const size = alphabet.length
  const unbiasedBelow = 256 - (256 % size)
  for (const byte of bytes) {
    if (out.length === length) break
    if (byte < unbiasedBelow) out += alphabet[byte % size]
  }
  return out
}

/** A random string of `length` symbols from `alphabet` (2–256 symbols), straight from the CSPRNG. */
export function randomString(alphabet: string, length: number): string {
  if (alphabet.length < 2 || alphabet.length > 256) throw new RangeError('alphabet must have 2 to 256 symbols')
  let out = ''
  const bytes = new Uint8Array(Math.max(16, length * 2))
  while (out.length < length) out = appendUnbiasedSymbols(out, crypto.getRandomValues(bytes), alphabet, length)
  return out
}

/**
 * The PIN of a pinId: unbiased symbols drawn from HMAC-SHA-256(derivation key, pinId ‖ counter).
 * The pinId is 128 fresh bits from the CSPRNG, and HMAC keyed by a server secret is a PRF, so the
 * PIN is as unpredictable as a CSPRNG draw — and the server can produce the same PIN again for a
 * resend while the store holds nothing but the PIN's MAC.
 */
export async function derivePin(key: CryptoKey, pinId: string, type: PinType, length: number): Promise<string> {
  const alphabet = PIN_ALPHABETS[type]
  let out = ''
  for (let counter = 0; out.length < length; counter++) {
    const block = await crypto.subtle.sign('HMAC', key, encoder.encode(`pin:${pinId}:${counter}`))
    out = appendUnbiasedSymbols(out, new Uint8Array(block), alphabet, length)
  }
  return out
}

/** 128 random bits as 32 hex characters, like Infobip's pinIds. */
export function generatePinId(): string {
  return randomString('0123456789ABCDEF', 32)
}

export const PIN_ID_PATTERN = /^[0-9A-F]{32}$/

/** What the user typed, as it would have been generated: no spaces or dashes, letter types upper-cased. */
export function normalizePinInput(input: string, type: PinType): string {
  const compact = input.replace(/[\s-]/g, '')
  return type === 'NUMERIC' ? compact : compact.toUpperCase()
}

export function isWellFormedPin(pin: string, type: PinType, length: number): boolean {
  if (pin.length !== length) return false
  const alphabet = PIN_ALPHABETS[type]
  for (const symbol of pin) if (!alphabet.includes(symbol)) return false
  return true
}

function base64url(bytes: ArrayBuffer): string {
  let binary = ''
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** An HMAC-SHA-256 key derived for one purpose, so the PIN MAC key never doubles as anything else. */
export async function importHmacKey(secret: string, purpose: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`two-factor-kit:${purpose}`) },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  )
}

/**
 * HMAC(key, pinId ‖ PIN). Binding the pinId means a PIN is only ever right for the PIN record it
 * was made for (checklist 15). The separator cannot occur in a pinId.
 */
export async function pinMac(key: CryptoKey, pinId: string, pin: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', key, encoder.encode(`${pinId}:${pin}`)))
}

/**
 * Constant-time equality of two MACs. Both are fixed-length base64url HMAC-SHA-256 values, so the
 * length check leaks nothing; the loop touches every byte whatever it finds.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length || a.length === 0) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}
