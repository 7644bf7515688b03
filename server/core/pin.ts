/**
 * PINs: derived from a CSPRNG-drawn pinId without modulo bias, stored only as an HMAC bound to their pinId,
 * compared in constant time.
 *
 * HKDF, HMAC and the randomness are Web Crypto's. A runtime entry may pass its own HMAC
 * (`hmacSha256`): Web Crypto's is asynchronous everywhere and, on Node, a thread-pool job of ~35 µs
 * of CPU per MAC, where node:crypto's takes ~3 µs; in workerd and Deno it is native and quick.
 */
import { base64url } from './base64url.js'

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

/**
 * The PIN of a pinId: unbiased symbols drawn from HMAC-SHA-256(derivation key, pinId ‖ counter).
 * The pinId is 128 fresh bits from the CSPRNG, and HMAC keyed by a server secret is a PRF, so the
 * PIN is as unpredictable as a CSPRNG draw — and the server can produce the same PIN again for a
 * resend while the store holds nothing but the PIN's MAC.
 */
export async function derivePin(key: HmacKey, pinId: string, type: PinType, length: number): Promise<string> {
  const alphabet = PIN_ALPHABETS[type]
  let out = ''
  for (let counter = 0; out.length < length; counter++) {
    out = appendUnbiasedSymbols(out, await mac(key, `pin:${pinId}:${counter}`), alphabet, length)
  }
  return out
}

// CSPRNG bytes drawn 4 KB at a time (as Node does for randomUUID): one getRandomValues call costs
// about as much for 4096 bytes as for 16. Every byte is handed out once and then overwritten.
const randomPool = new Uint8Array(4096)
let randomPoolOffset = randomPool.length

export function takeRandomBytes(count: number): Uint8Array {
  if (randomPoolOffset + count > randomPool.length) {
    crypto.getRandomValues(randomPool)
    randomPoolOffset = 0
  }
  const bytes = randomPool.slice(randomPoolOffset, randomPoolOffset + count)
  randomPool.fill(0, randomPoolOffset, randomPoolOffset + count)
  randomPoolOffset += count
  return bytes
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0').toUpperCase())

/** 128 random bits as 32 hex characters, like Infobip's pinIds (16 divides 256: no bias to remove). */
export function generatePinId(): string {
  let id = ''
  for (const byte of takeRandomBytes(16)) id += HEX[byte]
  return id
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

/** HMAC-SHA-256 under one key: the MAC of `message`, at once or as a promise. */
export type Mac = (message: Uint8Array<ArrayBuffer>) => Uint8Array | Promise<Uint8Array>

/**
 * Makes the `Mac` of a 32-byte key. The Node entry passes `nodeHmacSha256` (node:crypto's).
 * @default Web Crypto's HMAC
 */
export type HmacSha256 = (key: Uint8Array<ArrayBuffer>) => Mac

/** A 256-bit HMAC-SHA-256 key, derived for one purpose only. */
export interface HmacKey {
  readonly mac: Mac
}

async function webCryptoHmac(key: Uint8Array<ArrayBuffer>): Promise<Mac> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  return async (message) => new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, message))
}

/** HMAC-SHA-256 of `message` under `key`. */
function mac(key: HmacKey, message: string): Uint8Array | Promise<Uint8Array> {
  return key.mac(encoder.encode(message) as Uint8Array<ArrayBuffer>)
}

/**
 * Derives (HKDF-SHA-256, no salt) a key for one purpose, so the PIN MAC key never doubles as
 * anything else.
 */
export async function deriveHmacKey(
  secret: string,
  purpose: string,
  hmacSha256?: HmacSha256,
): Promise<HmacKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits'])
  const key = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: new Uint8Array(0),
        info: encoder.encode(`two-factor-kit:${purpose}`),
      },
      material,
      256,
    ),
  )
  return Object.freeze({ mac: hmacSha256 ? hmacSha256(key) : await webCryptoHmac(key) })
}

/**
 * HMAC(key, pinId ‖ PIN). Binding the pinId means a PIN is only ever right for the PIN record it
 * was made for: a PIN read from one SMS never unlocks another verification. The separator cannot
 * occur in a pinId.
 */
export async function pinMac(key: HmacKey, pinId: string, pin: string): Promise<string> {
  return base64url(await mac(key, `${pinId}:${pin}`))
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
