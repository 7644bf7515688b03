// A PIN is only as strong as it is unpredictable: drawn without modulo bias from a PRF keyed by a
// server secret over a CSPRNG pinId, ≥ 20 bits for the default 6 digits, every symbol equally likely.
// Each property is counted over the whole sample and asserted once (one `expect` per property, not
// per PIN: 480k calls to `expect` took most of this file's 9 s).
import { describe, expect, it } from 'vitest'
import {
  derivePin,
  generatePinId,
  deriveHmacKey,
  PIN_ALPHABETS,
  type PinType,
} from '../../server/core/pin.js'
import { nodeHmacSha256 } from '../../server/runtime/node-crypto.js'

// The chi-square value a fair generator exceeds with probability 1e-6 (Wilson–Hilferty), so this
// suite does not flake in CI; the statistic summed over all positions still catches modulo bias
// (see the last test, which feeds it a biased generator).
function chiSquareLimit(degreesOfFreedom: number): number {
  const z = 4.753
  const a = 2 / (9 * degreesOfFreedom)
  return degreesOfFreedom * (1 - a + z * Math.sqrt(a)) ** 3
}

function chiSquare(counts: number[], total: number): number {
  const expected = total / counts.length
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0)
}

/** Per-position and summed chi-square statistics against the uniform distribution. */
function uniformity(pins: string[], alphabet: string, length: number) {
  const perPosition: number[] = []
  for (let position = 0; position < length; position++) {
    const counts = new Array<number>(alphabet.length).fill(0)
    for (const pin of pins) counts[alphabet.indexOf(pin[position]!)]!++
    perPosition.push(chiSquare(counts, pins.length))
  }
  const total = perPosition.reduce((sum, value) => sum + value, 0)
  return { perPosition, total, degreesOfFreedom: alphabet.length - 1 }
}

function assertUniform(pins: string[], alphabet: string, length: number) {
  const { perPosition, total, degreesOfFreedom } = uniformity(pins, alphabet, length)
  const positionLimit = chiSquareLimit(degreesOfFreedom)
  const skewedPositions = perPosition.flatMap((value, position) =>
    value < positionLimit ? [] : [{ position, value }],
  )
  expect(skewedPositions, `chi-square per position, limit ${positionLimit}`).toStrictEqual([])
  expect(total, 'all positions').toBeLessThan(chiSquareLimit(degreesOfFreedom * length))
}

/** The strings that are not `length` symbols of `alphabet`: an empty list when every one is. */
function malformed(pins: string[], alphabet: string, length: number): string[] {
  const symbol = new RegExp(`^[${alphabet}]{${length}}$`)
  return pins.filter((pin) => !symbol.test(pin))
}

describe('PIN generation', () => {
  it('100k derived 6-digit PINs: right length and alphabet, leading zeros kept, uniform per position', async () => {
    const key = await deriveHmacKey(
      'distribution-test-secret-0123456789abcdef',
      'pin-derivation',
      nodeHmacSha256,
    )
    const pinIds = Array.from({ length: 100_000 }, () => generatePinId())
    const pins = await Promise.all(pinIds.map((pinId) => derivePin(key, pinId, 'NUMERIC', 6)))
    expect(malformed(pins, PIN_ALPHABETS.NUMERIC, 6)).toStrictEqual([])
    expect(pins.some((pin) => pin.startsWith('0'))).toBe(true)
    assertUniform(pins, PIN_ALPHABETS.NUMERIC, 6)
    expect(new Set(pins).size).toBeGreaterThan(90_000)
    // pinIds: 128 fresh bits each, as 32 upper-case hex characters, never handed out twice.
    expect(malformed(pinIds, PIN_ALPHABETS.HEX, 32)).toStrictEqual([])
    expect(new Set(pinIds).size).toBe(pinIds.length)
  }, 120_000)

  it.each<PinType>(['ALPHA', 'HEX', 'ALPHANUMERIC'])(
    '%s PINs stay in their alphabet, uniform per position',
    async (type) => {
      const key = await deriveHmacKey(
        'distribution-test-secret-0123456789abcdef',
        'pin-derivation',
        nodeHmacSha256,
      )
      const pins = await Promise.all(
        Array.from({ length: 20_000 }, () => derivePin(key, generatePinId(), type, 8)),
      )
      const alphabet = PIN_ALPHABETS[type]
      expect(malformed(pins, alphabet, 8)).toStrictEqual([])
      assertUniform(pins, alphabet, 8)
    },
    120_000,
  )

  it('the same pinId and key give the same PIN (resend), another pinId another one', async () => {
    const key = await deriveHmacKey(
      'distribution-test-secret-0123456789abcdef',
      'pin-derivation',
      nodeHmacSha256,
    )
    const pinId = generatePinId()
    expect(await derivePin(key, pinId, 'NUMERIC', 10)).toBe(await derivePin(key, pinId, 'NUMERIC', 10))
    const otherKey = await deriveHmacKey('another-secret-0123456789abcdefghijklmnop', 'pin-derivation')
    const many = await Promise.all(
      Array.from({ length: 50 }, () => derivePin(otherKey, pinId, 'NUMERIC', 10)),
    )
    expect(new Set(many).size).toBe(1)
    expect(many[0]).not.toBe(await derivePin(key, pinId, 'NUMERIC', 10))
  })

  it('the check has teeth: a byte % 10 generator (modulo bias) is rejected', () => {
    const biased = Array.from({ length: 100_000 }, () =>
      Array.from(crypto.getRandomValues(new Uint8Array(6)), (byte) => String(byte % 10)).join(''),
    )
    const { total, degreesOfFreedom } = uniformity(biased, PIN_ALPHABETS.NUMERIC, 6)
    expect(total).toBeGreaterThan(chiSquareLimit(degreesOfFreedom * 6))
  })
})
