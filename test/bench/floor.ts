/**
 * The floor: a send and a verification that do only the work every SMS verification must do, and
 * nothing the kit adds on top — no anti-fraud policy, no statistics, events or verification index,
 * no provider failover, no schema. They show what that necessary work alone measures against the
 * yardstick on this machine, next to the kit's routes in the same round:
 *
 * - send: the JSON body, the number parsed and typed with full metadata and formatted for the mask,
 *   a PIN drawn and its MAC (two HMACs), four rate-limit windows (cooldown, number, IP,
 *   application) and the record in an in-process map, a JSON answer;
 * - verify: the JSON body, the record read, its MAC checked in constant time, the attempt counted,
 *   an EdDSA-signed JWT, a JSON answer.
 *
 * Node only (node:crypto, as the Node entry's `nodeHmacSha256` and `nodeJwsSigner`).
 */
import { createHmac, createPrivateKey, randomBytes, sign, timingSafeEqual } from 'node:crypto'
import type { Hono } from 'hono'
import { normalizePhoneNumber } from '../../server/core/phone.js'

interface FloorRecord {
  e164: string
  mac: Buffer
  expiresAt: number
  attemptsRemaining: number
}

const PIN_TTL_MS = 600_000
const DAY_MS = 86_400_000
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/**
 * Mounts `POST /bench/floor/send {phoneNumber}` (201 with a pinId, the mask and the expiry),
 * `POST /bench/floor/verify {pinId, pin}` (200 with a token) and `POST /bench/floor/reset`.
 */
export function mountFloorRoutes(app: Hono, privateJwk: string): void {
  const secret = randomBytes(32)
  const macKey = randomBytes(32)
  const signingKey = createPrivateKey({ key: JSON.parse(privateJwk), format: 'jwk' })
  const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }))
  const records = new Map<string, FloorRecord>()
  const windows = new Map<string, { count: number; resetAt: number }>()
  const mac = (pinId: string, pin: string) => createHmac('sha256', macKey).update(`${pinId}:${pin}`).digest()

  /** One hit on a fixed window; false when it is full. */
  const hit = (key: string, limit: number, windowMs: number, now: number) => {
    let window = windows.get(key)
    if (!window || window.resetAt <= now) windows.set(key, (window = { count: 0, resetAt: now + windowMs }))
    if (window.count >= limit) return false
    window.count++
    return true
  }

  app.post('/bench/floor/send', async (c) => {
    const { phoneNumber } = (await c.req.json()) as { phoneNumber: string }
    // The kit's own parse, type and mask: one parse with full metadata, as lean as it gets.
    const number = normalizePhoneNumber(phoneNumber)
    if (number.numberType !== 'MOBILE') return c.json({ error: 'NOT_MOBILE' }, 400)
    const e164 = number.e164
    const now = Date.now()
    const ip = c.req.header('x-forwarded-for') ?? 'local'
    const allowed =
      hit(`cooldown:${e164}`, 1, 30_000, now) &&
      hit(`number:${e164}`, 5, DAY_MS, now) &&
      hit(`ip:${ip}`, 1e9, DAY_MS, now) &&
      hit('application', 1e9, DAY_MS, now)
    if (!allowed) return c.json({ error: 'RATE_LIMITED' }, 429)
    const pinId = randomBytes(16).toString('hex')
    const digest = createHmac('sha256', secret).update(pinId).digest()
    const pin = String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0')
    records.set(pinId, { e164, mac: mac(pinId, pin), expiresAt: now + PIN_TTL_MS, attemptsRemaining: 5 })
    return c.json({ pinId, to: number.masked, expiresAt: new Date(now + PIN_TTL_MS).toISOString() }, 201)
  })

  // One record verified over and over: the floor reads, checks and counts, and never consumes it.
  const verifiedPinId = 'floor'
  records.set(verifiedPinId, {
    e164: '+385981234567',
    mac: mac(verifiedPinId, '123456'),
    expiresAt: Infinity,
    attemptsRemaining: Number.MAX_SAFE_INTEGER,
  })
  // What the floor's sends kept goes once its windows are measured: left in the heap, it would make
  // the collector's work larger for the kit's runs that follow in the same process.
  app.post('/bench/floor/reset', (c) => {
    for (const pinId of records.keys()) if (pinId !== verifiedPinId) records.delete(pinId)
    windows.clear()
    return c.json({ ok: true })
  })
  app.post('/bench/floor/verify', async (c) => {
    const { pinId, pin } = (await c.req.json()) as { pinId: string; pin: string }
    const record = records.get(pinId)
    const now = Date.now()
    if (!record || record.expiresAt <= now || record.attemptsRemaining <= 0)
      return c.json({ error: 'PIN_UNUSABLE' }, 400)
    record.attemptsRemaining--
    if (!timingSafeEqual(record.mac, mac(pinId, pin))) return c.json({ error: 'WRONG_PIN' }, 400)
    const iat = Math.floor(now / 1000)
    const claims = { sub: record.e164, iat, exp: iat + 300, jti: randomBytes(16).toString('base64url') }
    const input = `${header}.${b64url(JSON.stringify(claims))}`
    const token = `${input}.${b64url(sign(null, Buffer.from(input), signingKey))}`
    return c.json({ verified: true, token })
  })
}
