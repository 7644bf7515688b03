const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Bytes as unpadded base64url (RFC 4648 §5), as JWS and the PIN MACs write them. Three bytes to four
 * characters from a table: half the CPU of a binary string through `btoa` and three replacements,
 * and a token writes it twice.
 */
export function base64url(bytes: Uint8Array): string {
  let out = ''
  const whole = bytes.length - (bytes.length % 3)
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  if (bytes.length - whole === 1) {
    const n = bytes[whole]! << 16
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!
  } else if (bytes.length - whole === 2) {
    const n = (bytes[whole]! << 16) | (bytes[whole + 1]! << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!
  }
  return out
}
