import { describe, expect, it } from 'vitest'
import { base64url } from './base64url.js'

describe('base64url', () => {
  it('writes every length from 0 to 70 bytes, and every byte value, as Buffer writes unpadded base64url', () => {
    const all = Uint8Array.from({ length: 256 }, (_, byte) => byte)
    expect(base64url(all)).toBe(Buffer.from(all).toString('base64url'))
    for (let length = 0; length <= 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
  })
})
