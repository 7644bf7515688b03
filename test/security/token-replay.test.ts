// A phone token is a one-time proof: the kit's own verifier (`app.verifier`, the form-post pattern)
// and a `createVerifier({ store })` accept each token once — the store's atomic `hit` on its `jti`
// is the race gate — and no verifier accepts a token that claims a longer life than the kit issues.
import { Hono } from 'hono'
import { importJWK, SignJWT, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { demoSite } from '../../demo/site.js'
import {
  createVerifier,
  generateSigningKey,
  memoryStore,
  requireVerifiedPhone,
  StoreError,
  TOKEN_TYPE,
  type TokenVerifier,
  type TwoFactorStore,
} from '../../server/index.js'
import { redisStore } from '../../server/stores/redis.js'
import { fakeClock, makeKit, MOBILE_HR } from '../helpers/kit.js'
import { tally } from '../helpers/outcomes.js'
import { useRedisServer } from '../helpers/redis-server.js'

const ISSUER = 'https://shop.example'
const AUDIENCE = 'shop.example'
const YEAR_SECONDS = 365 * 24 * 3600

const redis = useRedisServer()

async function issueToken(kit: ReturnType<typeof makeKit>): Promise<string> {
  const { pinId, pin } = await kit.startVerification()
  const response = await kit.post(`/pin/${pinId}/verify`, { pin })
  return ((await response.json()) as { token: string }).token
}

/** What one verify() gave: `ACCEPTED` or the refusal's code. */
async function outcome(verifier: TokenVerifier, token: string, options?: { consume?: boolean }) {
  try {
    await verifier.verify(token, options)
    return 'ACCEPTED'
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}

/** A token signed by the kit's own key, with claims the kit itself would never put in it. */
async function signedByKitKey(
  signingKey: JsonWebKey,
  claims: { iat?: number; exp: number },
): Promise<string> {
  const key = await importJWK({ ...(signingKey as JWK), alg: 'EdDSA' }, 'EdDSA')
  const jwt = new SignJWT({ phone_number: MOBILE_HR, phone_number_verified: true, amr: ['sms'] })
    .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPE })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(MOBILE_HR)
    .setJti(crypto.randomUUID())
    .setExpirationTime(claims.exp)
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat)
  return jwt.sign(key)
}

const stores: [string, () => TwoFactorStore][] = [
  ['memory', () => memoryStore()],
  ['Redis', () => redisStore({ client: redis.client, prefix: `tfk-replay:${crypto.randomUUID()}:` })],
]

describe('single use of a token', () => {
  it('the kit’s verifier (form-post pattern): one token 4 times → exactly 1 accepted, 3 TOKEN_ALREADY_USED', async () => {
    const kit = makeKit()
    const token = await issueToken(kit)
    const outcomes = []
    for (let use = 0; use < 4; use++) outcomes.push(await outcome(kit.app.verifier, token))
    expect(outcomes).toEqual(['ACCEPTED', 'TOKEN_ALREADY_USED', 'TOKEN_ALREADY_USED', 'TOKEN_ALREADY_USED'])
  })

  for (const [name, store] of stores) {
    it(`20 concurrent uses of one token on the ${name} store → exactly 1 accepted, 19 TOKEN_ALREADY_USED`, async () => {
      const kit = makeKit({ store: store() })
      const token = await issueToken(kit)
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(kit.app.verifier, token)))
      expect(tally(outcomes)).toEqual({ ACCEPTED: 1, TOKEN_ALREADY_USED: 19 })
    })
  }

  it('verify(token, { consume: false }) checks without using the token up; the final use still counts once', async () => {
    const kit = makeKit()
    const token = await issueToken(kit)
    expect(await outcome(kit.app.verifier, token, { consume: false })).toBe('ACCEPTED')
    expect(await outcome(kit.app.verifier, token, { consume: false })).toBe('ACCEPTED')
    expect(await outcome(kit.app.verifier, token)).toBe('ACCEPTED')
    expect(await outcome(kit.app.verifier, token)).toBe('TOKEN_ALREADY_USED')
    expect(await outcome(kit.app.verifier, token, { consume: false })).toBe('TOKEN_ALREADY_USED')
  })

  it('two different tokens of one phone number are each accepted once', async () => {
    const kit = makeKit()
    const first = await issueToken(kit)
    kit.clock.advance(60_000) // past the resend cooldown
    const second = await issueToken(kit)
    expect(await outcome(kit.app.verifier, first)).toBe('ACCEPTED')
    expect(await outcome(kit.app.verifier, second)).toBe('ACCEPTED')
    expect(await outcome(kit.app.verifier, first)).toBe('TOKEN_ALREADY_USED')
  })

  for (const [name, store] of stores) {
    it(`createVerifier({ store }) on the ${name} store: 20 concurrent uses → exactly 1 accepted; without a store every use passes`, async () => {
      const kit = makeKit({ issuer: ISSUER, audience: AUDIENCE })
      const jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
      const token = await issueToken(kit)
      const withoutStore = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE })
      expect(await Promise.all([1, 2, 3].map(() => outcome(withoutStore, token)))).toEqual([
        'ACCEPTED',
        'ACCEPTED',
        'ACCEPTED',
      ])
      const singleUse = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, store: store() })
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(singleUse, token)))
      expect(tally(outcomes)).toEqual({ ACCEPTED: 1, TOKEN_ALREADY_USED: 19 })
    })
  }

  it('a used token is remembered until it expires, clock tolerance included, and no longer', async () => {
    const clock = fakeClock()
    const store = memoryStore({ clock: clock.now })
    const kit = makeKit({ issuer: ISSUER, audience: AUDIENCE, clock: clock.now, store })
    const jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
    const token = await issueToken(kit)
    const verifier = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, store, clock: clock.now })
    expect(await outcome(verifier, token)).toBe('ACCEPTED')
    clock.advance(5 * 60_000 + 4_000) // past exp, within the 5 s tolerance
    expect(await outcome(verifier, token)).toBe('TOKEN_ALREADY_USED')
    clock.advance(2_000)
    expect(await outcome(verifier, token)).toBe('TOKEN_EXPIRED')
  })

  it('consume: true on a verifier without a store is a programming error, not a silent pass', async () => {
    const kit = makeKit({ issuer: ISSUER, audience: AUDIENCE })
    const jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
    const verifier = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE })
    await expect(verifier.verify(await issueToken(kit), { consume: true })).rejects.toThrow(/store/)
  })

  it('a store that can’t be reached refuses the token (STORE_UNAVAILABLE, 503 from the middleware), never lets it pass', async () => {
    const kit = makeKit({ issuer: ISSUER, audience: AUDIENCE })
    const jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
    const unreachable = {
      hit: async () => {
        throw new StoreError('connection refused')
      },
    }
    const verifier = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, store: unreachable })
    const token = await issueToken(kit)
    expect(await outcome(verifier, token)).toBe('STORE_UNAVAILABLE')
    expect(await outcome(verifier, token, { consume: false })).toBe('STORE_UNAVAILABLE')
    const host = new Hono()
    host.get('/order', requireVerifiedPhone({ verifier }), (c) => c.text('ok'))
    const response = await host.request('/order', { headers: { Authorization: `Bearer ${token}` } })
    expect(response.status).toBe(503)
    expect(response.headers.has('WWW-Authenticate')).toBe(false)
  })

  it('requireVerifiedPhone() with the kit’s verifier: a replayed bearer token → 401 TOKEN_ALREADY_USED', async () => {
    const kit = makeKit()
    const host = new Hono()
    host.post('/order', requireVerifiedPhone({ verifier: kit.app.verifier }), (c) =>
      c.json({ phone: c.get('verifiedPhone').phoneNumber }),
    )
    const token = await issueToken(kit)
    const send = () =>
      host.request('/order', { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
    expect((await send()).status).toBe(200)
    const replay = await send()
    expect(replay.status).toBe(401)
    expect(replay.headers.get('WWW-Authenticate')).toContain('TOKEN_ALREADY_USED')
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('TOKEN_ALREADY_USED')
  })

  it('requireVerifiedPhone({ consume: false }) lets one token through many times (a check before the final use)', async () => {
    const kit = makeKit()
    const host = new Hono()
    host.get('/preview', requireVerifiedPhone({ verifier: kit.app.verifier, consume: false }), (c) =>
      c.text('ok'),
    )
    const token = await issueToken(kit)
    for (let use = 0; use < 3; use++) {
      const response = await host.request('/preview', { headers: { Authorization: `Bearer ${token}` } })
      expect(response.status).toBe(200)
    }
    expect(await outcome(kit.app.verifier, token)).toBe('ACCEPTED')
  })

  it('the demo’s /account form post, replayed: the first shows the account, the second a 4xx refusal page', async () => {
    const kit = makeKit()
    const site = demoSite({ verifier: kit.app.verifier, endpoint: '/2fa' })
    const token = await issueToken(kit)
    const submit = () =>
      site.request('/account', {
        method: 'POST',
        body: new URLSearchParams({ name: 'Ana', email: 'ana@example.com', phone_token: token }),
      })
    const first = await submit()
    expect(first.status).toBe(200)
    expect(await first.text()).toContain('Welcome, Ana!')
    const replay = await submit()
    expect(replay.status).toBeGreaterThanOrEqual(400)
    expect(replay.status).toBeLessThan(500)
    const page = await replay.text()
    expect(page).toContain('couldn’t confirm your phone number')
    expect(page).not.toContain('Welcome')
  })
})

describe('the lifetime a verifier accepts', () => {
  let signingKey: JsonWebKey
  let kit: ReturnType<typeof makeKit>
  let jwks: { keys: JWK[] }
  const now = () => Math.floor(Date.now() / 1000)

  beforeAll(async () => {
    signingKey = await generateSigningKey('EdDSA')
    kit = makeKit({ issuer: ISSUER, audience: AUDIENCE, signingKey })
    jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
  })

  it('a token signed by the right key with exp ten years ahead → TOKEN_INVALID, in createVerifier and app.verifier', async () => {
    const token = await signedByKitKey(signingKey, { iat: now(), exp: now() + 10 * YEAR_SECONDS })
    expect(await outcome(createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE }), token)).toBe(
      'TOKEN_INVALID',
    )
    expect(await outcome(kit.app.verifier, token)).toBe('TOKEN_INVALID')
  })

  it('a token signed by the right key without iat → TOKEN_INVALID', async () => {
    const token = await signedByKitKey(signingKey, { exp: now() + 60 })
    expect(await outcome(createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE }), token)).toBe(
      'TOKEN_INVALID',
    )
    expect(await outcome(kit.app.verifier, token)).toBe('TOKEN_INVALID')
  })

  it('a token issued in the future (iat ten years ahead, a 5-minute life) → refused', async () => {
    const iat = now() + 10 * YEAR_SECONDS
    const token = await signedByKitKey(signingKey, { iat, exp: iat + 300 })
    expect(await outcome(createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE }), token)).toBe(
      'TOKEN_INVALID',
    )
    expect(await outcome(kit.app.verifier, token)).toBe('TOKEN_INVALID')
  })

  it('createVerifier accepts up to 1 h (the kit’s longest tokenTimeToLive) by default; maxTokenAge lowers it', async () => {
    const hour = await signedByKitKey(signingKey, { iat: now(), exp: now() + 3600 })
    const longer = await signedByKitKey(signingKey, { iat: now(), exp: now() + 3601 })
    const byDefault = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE })
    expect(await outcome(byDefault, hour)).toBe('ACCEPTED')
    expect(await outcome(byDefault, longer)).toBe('TOKEN_INVALID')
    const tenMinutes = await signedByKitKey(signingKey, { iat: now(), exp: now() + 600 })
    const capped = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, maxTokenAge: '5m' })
    expect(await outcome(capped, tenMinutes)).toBe('TOKEN_INVALID')
    expect(await outcome(capped, await issueToken(kit))).toBe('ACCEPTED')
  })

  it('app.verifier accepts no longer a life than the kit’s own tokenTimeToLive (5 m by default)', async () => {
    const sixMinutes = await signedByKitKey(signingKey, { iat: now(), exp: now() + 360 })
    expect(await outcome(kit.app.verifier, sixMinutes)).toBe('TOKEN_INVALID')
    const fiveMinutes = await signedByKitKey(signingKey, { iat: now(), exp: now() + 300 })
    expect(await outcome(kit.app.verifier, fiveMinutes)).toBe('ACCEPTED')
  })

  it('maxTokenAge is checked when the verifier is created', () => {
    const base = { jwks: { keys: [] }, issuer: ISSUER, audience: AUDIENCE }
    expect(() => createVerifier({ ...base, maxTokenAge: '2h' })).toThrow(/maxTokenAge/)
    expect(() => createVerifier({ ...base, maxTokenAge: 0 })).toThrow(/maxTokenAge/)
    expect(() => createVerifier({ ...base, maxTokenAge: 'soon' })).toThrow(/maxTokenAge/)
    expect(() => createVerifier({ ...base, maxTokenAge: 600 })).not.toThrow()
  })
})
