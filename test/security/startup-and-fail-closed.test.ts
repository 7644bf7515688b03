// Nothing an attacker can learn or exploit at the edges: no enumeration through status codes; weak
// or missing settings stop start-up; store and provider failures fail closed.
import { describe, expect, it } from 'vitest'
import {
  consoleProvider,
  ConfigurationError,
  generateSigningKey,
  memoryStore,
  StoreError,
  twoFactor,
  type SmsProvider,
  type TwoFactorStore,
} from '../../server/index.js'
import { errorOf, makeKit } from '../helpers/kit.js'

const SECRET = 'startup-test-secret-0123456789-abcdefghijkl'
// Production refuses low-entropy secrets and the console provider: a random secret
// (`openssl rand -base64 32`) and a provider that sends.
const PRODUCTION_SECRET = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
const smsApi: SmsProvider = {
  name: 'sms-api',
  async send() {
    return { messageId: 'm-1', status: 'ACCEPTED', provider: 'sms-api' }
  },
}

describe('start-up checks', () => {
  it('production without secret, key, issuer or audience refuses to start, saying what to set', async () => {
    const signingKey = await generateSigningKey()
    const full = {
      environment: 'production' as const,
      secret: PRODUCTION_SECRET,
      sms: smsApi,
      signingKey,
      issuer: 'https://shop.example',
      audience: 'shop',
      allowedCountries: '*' as const,
    }
    expect(() => twoFactor(full)).not.toThrow()
    expect(() => twoFactor({ ...full, secret: undefined })).toThrow(/"secret" is required in production/)
    expect(() => twoFactor({ ...full, signingKey: undefined })).toThrow(
      /"signingKey" is required in production/,
    )
    expect(() => twoFactor({ ...full, audience: undefined })).toThrow(/"audience" is required/)
    expect(() => twoFactor({ ...full, issuer: undefined })).toThrow(/"issuer" is required/)
    expect(() =>
      twoFactor({
        secret: PRODUCTION_SECRET,
        sms: smsApi,
        signingKey,
        issuer: 'i',
        audience: 'a',
        allowedCountries: ['HR'],
      }),
    ).not.toThrow()
    expect(() => twoFactor({ secret: PRODUCTION_SECRET, sms: smsApi, issuer: 'i', audience: 'a' })).toThrow(
      ConfigurationError,
    )
  })

  it('refuses weak secrets and public keys', async () => {
    expect(() => twoFactor({ environment: 'development', secret: 'short' })).toThrow(/at least 32 characters/)
    expect(() => twoFactor({ environment: 'development', secret: 'a'.repeat(40) })).toThrow(/placeholder/)
    const { d: _d, ...publicKey } = (await generateSigningKey()) as JsonWebKey & { d: string }
    expect(() => twoFactor({ environment: 'development', signingKey: publicKey })).toThrow(/private JWK/)
    expect(() => twoFactor({ environment: 'development', signingKey: '{nope' })).toThrow(/not valid JSON/)
  })

  it('refuses test numbers in production unless explicitly allowed', async () => {
    const base = {
      environment: 'production' as const,
      secret: PRODUCTION_SECRET,
      sms: smsApi,
      signingKey: await generateSigningKey(),
      issuer: 'i',
      audience: 'a',
      allowedCountries: ['HR'],
    }
    expect(() => twoFactor({ ...base, testNumbers: { '+15005550006': '123456' } })).toThrow(
      /refused in production/,
    )
    expect(() =>
      twoFactor({ ...base, testNumbers: { '+15005550006': '123456' }, allowTestNumbersInProduction: true }),
    ).not.toThrow()
  })

  it.each([
    [{ pinLength: 3 }, /"pinLength" must be an integer from 4 to 10/],
    [{ pinLength: 11 }, /"pinLength"/],
    [{ pinType: 'EMOJI' }, /"pinType" must be one of/],
    [{ pinTimeToLive: '10 minutes' }, /"pinTimeToLive" must be a duration/],
    [{ pinTimeToLive: '2y' }, /"pinTimeToLive"/],
    [{ verifyPinLimit: '1 per 3s' }, /"verifyPinLimit" must be a rate/],
    [{ sendPinPerApplicationLimit: '0/1d' }, /"sendPinPerApplicationLimit"/],
    [{ pinAttempts: 0 }, /"pinAttempts"/],
    [{ messageText: 'no placeholder' }, /must contain \{\{pin\}\}/],
    [{ allowedCountries: ['hr'] }, /upper-case ISO/],
    [{ allowedNumberTypes: ['SATELLITE'] }, /unknown type/],
    [{ testNumbers: { '5550006': '123456' } }, /not an international phone number/],
    [{ testNumbers: { '+15005550006': '12' } }, /pinLength/],
    [{ tokenTimeToLive: '1d' }, /at most "1h"/],
    [{ environment: 'staging' }, /"environment"/],
  ])('%j stops start-up', (options, message) => {
    expect(() => twoFactor({ environment: 'development', secret: SECRET, ...(options as object) })).toThrow(
      message,
    )
  })
})

describe('no enumeration', () => {
  it('unknown, expired, used and locked pinIds get the very same answer on verify, resend and GET: status and body', async () => {
    const kit = makeKit({ pinAttempts: 1 })
    const used = await kit.startVerification('+385911234567')
    await kit.post(`/pin/${used.pinId}/verify`, { pin: used.pin })
    const locked = await kit.startVerification('+385921234567')
    await kit.post(`/pin/${locked.pinId}/verify`, { pin: locked.pin === '000000' ? '111111' : '000000' })
    const expired = await kit.startVerification('+385951234567')
    kit.clock.advance(11 * 60_000)
    const pinIds = ['0123456789ABCDEF0123456789ABCDEF', used.pinId, locked.pinId, expired.pinId]
    for (const ask of [
      (pinId: string) => kit.post(`/pin/${pinId}/verify`, { pin: '123456' }),
      (pinId: string) => kit.post(`/pin/${pinId}/resend`),
      (pinId: string) => kit.get(`/pin/${pinId}`),
    ]) {
      const answers = await Promise.all(
        pinIds.map(async (pinId) => {
          const response = await ask(pinId)
          return `${response.status} ${await response.text()}`
        }),
      )
      expect(new Set(answers)).toEqual(new Set([answers[0]]))
      expect(answers[0]).toMatch(/^404 \{"error":\{"code":"PIN_NOT_FOUND","message":"[^"]+"\}\}$/)
    }
  })
})

describe('fail closed', () => {
  function failingStore(failOn: keyof TwoFactorStore): TwoFactorStore {
    const inner = memoryStore()
    return new Proxy(inner, {
      get(target, property: keyof TwoFactorStore) {
        if (property === failOn && armed)
          return async () => {
            throw new StoreError('connection lost')
          }
        return target[property]
      },
    })
  }
  let armed = false

  it.each<keyof TwoFactorStore>(['consumeAttempt', 'markVerified', 'getPin', 'hit'])(
    'store throws in %s during verify → 503 STORE_UNAVAILABLE, no token',
    async (operation) => {
      armed = false
      const kit = makeKit({ store: failingStore(operation) })
      const { pinId, pin } = await kit.startVerification()
      armed = true
      const response = await kit.post(`/pin/${pinId}/verify`, { pin })
      armed = false
      expect(response.status).toBe(503)
      expect(response.headers.get('Retry-After')).toBeTruthy()
      const body = await response.text()
      expect(body).not.toMatch(/token/)
      expect(JSON.parse(body).error.code).toBe('STORE_UNAVAILABLE')
    },
  )

  it('store throws during send → 503 and no SMS', async () => {
    armed = false
    const sms = consoleProvider({ print: null })
    const kit = makeKit({ store: failingStore('createPin'), sms })
    armed = true
    const response = await kit.post('/pin', { phoneNumber: '+385911234567' })
    armed = false
    expect(response.status).toBe(503)
    expect(sms.outbox).toHaveLength(0)
  })

  it('provider fails → 502 SMS_NOT_SENT, the PIN is not verifiable and the send does not count', async () => {
    let calls = 0
    const broken: SmsProvider = {
      name: 'broken',
      async send() {
        calls++
        throw new Error('upstream down')
      },
    }
    const store = memoryStore()
    const createdPinIds: string[] = []
    const recordingStore: TwoFactorStore = {
      ...store,
      createPin: async (record) => {
        createdPinIds.push(record.pinId)
        return store.createPin(record)
      },
    }
    const kit = makeKit({
      sms: broken,
      store: recordingStore,
      sendPinPerPhoneNumberLimit: '1/1d',
      providerRetries: 0,
    })
    for (let i = 0; i < 3; i++) {
      const response = await kit.post('/pin', { phoneNumber: '+385911234567' })
      expect(response.status).toBe(502)
      expect((await errorOf(response)).code).toBe('SMS_NOT_SENT')
    }
    expect(calls).toBe(3)
    expect(createdPinIds).toHaveLength(3)
    for (const pinId of createdPinIds) {
      expect(await store.getPin(pinId)).toMatchObject({
        lifecycle: 'LOCKED',
        deliveryStatus: 'FAILED',
        pinMac: '',
      })
      expect((await errorOf(await kit.post(`/pin/${pinId}/verify`, { pin: '123456' }))).code).toBe(
        'PIN_NOT_FOUND',
      )
      // Locked, so it answers as an unknown pinId everywhere (nobody got this pinId: the send said 502).
      expect((await errorOf(await kit.get(`/pin/${pinId}`))).code).toBe('PIN_NOT_FOUND')
    }
  })
})
