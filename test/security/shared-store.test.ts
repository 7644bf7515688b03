// Several processes on one shared store (Redis, Durable Objects) must agree on the PIN MAC secret
// and the signing key: a per-process random secret answers WRONG_PIN to the right PIN on the other
// process (burning an attempt) and its tokens are refused there. So start-up refuses it.
import { describe, expect, it } from 'vitest'
import {
  consoleProvider,
  ConfigurationError,
  generateSigningKey,
  memoryStore,
  twoFactor,
  type TwoFactorStore,
} from '../../server/index.js'
import { twoFactor as nodeTwoFactor } from '../../server/node.js'
import { redisStore } from '../../server/stores/redis.js'

const quiet = { info() {}, warn() {}, error() {} }

/** One store two kits share, marked as a shared store does it (redisStore, durableObjectStore). */
function sharedStore(): TwoFactorStore {
  return { ...memoryStore(), shared: true }
}

describe('a shared store', () => {
  it('redisStore says it is shared', () => {
    const client = { evalsha() {}, hgetall() {} } as never
    expect(redisStore({ client }).shared).toBe(true)
    expect(memoryStore().shared).toBeUndefined()
  })

  it.each(['development', 'production'] as const)(
    'without a secret or signing key refuses to start in %s, naming TWO_FACTOR_SECRET and TWO_FACTOR_PRIVATE_JWK',
    async (environment) => {
      const store = sharedStore()
      const signingKey = await generateSigningKey()
      const secret = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
      const base = {
        environment,
        store,
        logger: quiet,
        issuer: 'i',
        audience: 'a',
        sms: consoleProvider({ print: null, maskPins: true }),
        allowConsoleSmsInProduction: true,
        allowedCountries: ['HR'],
      }
      expect(() => twoFactor({ ...base, signingKey })).toThrow(ConfigurationError)
      expect(() => twoFactor({ ...base, signingKey })).toThrow(/TWO_FACTOR_SECRET/)
      expect(() => twoFactor({ ...base, secret })).toThrow(/TWO_FACTOR_PRIVATE_JWK/)
      expect(() => twoFactor({ ...base, secret, signingKey })).not.toThrow()
    },
  )

  it('two kits with one secret and key on one store: a PIN sent by one verifies on the other, and each accepts the other’s token', async () => {
    const store = sharedStore()
    const sms = consoleProvider({ print: null })
    const shared = {
      environment: 'development' as const,
      secret: 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0=',
      signingKey: await generateSigningKey(),
      store,
      sms,
      logger: quiet,
    }
    const first = twoFactor(shared)
    const second = twoFactor(shared)
    const post = (app: typeof first, path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    const sent = await post(first, '/pin', { phoneNumber: '+385911234567' })
    expect(sent.status).toBe(201)
    const { pinId } = (await sent.json()) as { pinId: string }
    const pin = /^(\S+) /.exec(sms.outbox.at(-1)!.text)![1]!
    const verified = await post(second, `/pin/${pinId}/verify`, { pin })
    expect(verified.status).toBe(200)
    const { token } = (await verified.json()) as { token: string }
    await expect(first.verifier.verify(token)).resolves.toMatchObject({ phoneNumber: '+385911234567' })
  })
})

describe('the Node entry with REDIS_URL', () => {
  it('refuses to start when no store is passed (REDIS_URL alone would be ignored), naming storeFromEnv', () => {
    expect(() => nodeTwoFactor({ REDIS_URL: 'redis://127.0.0.1:6379' }, { logger: quiet })).toThrow(
      ConfigurationError,
    )
    expect(() => nodeTwoFactor({ REDIS_URL: 'redis://127.0.0.1:6379' }, { logger: quiet })).toThrow(
      /storeFromEnv\(\)/,
    )
    expect(() =>
      nodeTwoFactor({ REDIS_URL: 'redis://127.0.0.1:6379' }, { logger: quiet, store: memoryStore() }),
    ).not.toThrow()
  })
})
