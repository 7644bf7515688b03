/**
 * Faults on the way of a send, injected where they happen: providers that hang, take the SMS and
 * answer late, answer 5xx or garbage, and a store that fails at each step. Each case answers within
 * its time bound with a clear code, keeps exactly the quotas its outcome calls for, and never lets a
 * PIN verify that no SMS carried.
 */
import { describe, expect, it } from 'vitest'
import {
  memoryStore,
  ProviderError,
  StoreError,
  type SmsMessage,
  type SmsProvider,
  type TwoFactorStore,
} from '../../server/index.js'
import { derivePin, deriveHmacKey } from '../../server/core/pin.js'
import { errorOf, makeKit, MOBILE_HR } from '../helpers/kit.js'

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
const TIMEOUT = '100ms'
const rightPin = async (pinId: string) =>
  derivePin(await deriveHmacKey(SECRET, 'pin-derivation'), pinId, 'NUMERIC', 6)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Behaviour = (message: SmsMessage, signal: AbortSignal | undefined) => Promise<void>

/** A provider that records every request and then behaves as told. */
function scripted(behaviour: Behaviour) {
  const requests: SmsMessage[] = []
  const provider: SmsProvider = {
    name: 'scripted',
    async send(message, options) {
      requests.push(message)
      await behaviour(message, options?.signal)
      return { messageId: `m-${requests.length}`, status: 'ACCEPTED', provider: 'scripted' }
    },
  }
  return { provider, requests }
}

const hangs: Behaviour = () => new Promise<void>(() => {})
const answersLate: Behaviour = async () => {
  await sleep(400)
}
const answers5xx: Behaviour = async () => {
  throw new ProviderError('transient', 'scripted', 'HTTP 503', { httpStatus: 503 })
}
const answersGarbage200: Behaviour = async () => {
  throw new ProviderError('transient', 'scripted', 'unreadable', {
    providerCode: 'MALFORMED_RESPONSE',
    httpStatus: 200,
  })
}
const answersGarbage502: Behaviour = async () => {
  throw new ProviderError('transient', 'scripted', 'unreadable', {
    providerCode: 'MALFORMED_RESPONSE',
    httpStatus: 502,
  })
}

describe('provider faults', () => {
  it.each([
    ['hangs', hangs, 1, 'PROVIDER_TIMEOUT'],
    ['takes the SMS and answers after the timeout', answersLate, 1, 'PROVIDER_TIMEOUT'],
    ['answers 200 with a body it does not document', answersGarbage200, 1, 'PROVIDER_ANSWER_UNREADABLE'],
  ] as const)(
    'a provider that %s: 201 MESSAGE_STATUS_UNKNOWN after one request, the send counted, the PIN verifiable',
    async (_, behaviour, requests, reason) => {
      const sms = scripted(behaviour)
      const kit = makeKit({ sms: sms.provider, providerTimeout: TIMEOUT, providerRetries: 2 })
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
      expect(response.status).toBe(201)
      const answer = (await response.json()) as { pinId: string; sms: Record<string, unknown> }
      expect(answer.sms).toMatchObject({ status: 'MESSAGE_STATUS_UNKNOWN', reason })
      expect(sms.requests).toHaveLength(requests)
      expect(
        (await kit.store.hit(`send:number:${MOBILE_HR}`, 99, 86_400_000, kit.clock.now(), 0)).count,
      ).toBe(1)
      const verified = await kit.post(`/pin/${answer.pinId}/verify`, { pin: await rightPin(answer.pinId) })
      expect(verified.status).toBe(200)
    },
    // The time bound: a hung provider costs one providerTimeout, not the test's default 20 s.
    5_000,
  )

  it.each([
    ['answers 503', answers5xx, 3],
    ['answers 502 with a body it does not document', answersGarbage502, 3],
  ] as const)(
    'a provider that %s on every try: 502 SMS_NOT_SENT after 3 requests (1 + 2 retries), nothing counted, the PIN never verifies',
    async (_, behaviour, requests) => {
      const sms = scripted(behaviour)
      const store = memoryStore()
      const created: string[] = []
      const recording: TwoFactorStore = {
        ...store,
        createPin: async (record) => {
          created.push(record.pinId)
          await store.createPin(record)
        },
      }
      const kit = makeKit({
        sms: sms.provider,
        store: recording,
        providerTimeout: TIMEOUT,
        providerRetries: 2,
      })
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
      expect(await errorOf(response)).toMatchObject({ code: 'SMS_NOT_SENT', retryable: true })
      expect(response.status).toBe(502)
      expect(sms.requests).toHaveLength(requests)
      expect(
        (await kit.store.hit(`send:number:${MOBILE_HR}`, 99, 86_400_000, kit.clock.now(), 0)).count,
      ).toBe(0)
      const verified = await kit.post(`/pin/${created[0]}/verify`, { pin: await rightPin(created[0]!) })
      expect(await errorOf(verified)).toMatchObject({ code: 'PIN_NOT_FOUND' })
    },
  )
})

describe('store faults during a send', () => {
  /**
   * A memory store whose `operations` (counted together) throw a StoreError at their `nth` call: only
   * then (`blip`), or from then on (`gone`).
   */
  function failing(
    operations: keyof TwoFactorStore | readonly (keyof TwoFactorStore)[],
    nth: number,
    mode: 'blip' | 'gone',
  ) {
    const inner = memoryStore()
    let calls = 0
    const failingOperations: readonly string[] = typeof operations === 'string' ? [operations] : operations
    const store = new Proxy(inner, {
      get(target, property: keyof TwoFactorStore) {
        const original = target[property]
        if (!failingOperations.includes(property) || typeof original !== 'function') return original
        return async (...args: unknown[]) => {
          calls += 1
          if (mode === 'gone' ? calls >= nth : calls === nth)
            throw new StoreError(`${property} lost the connection`)
          return (original as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    return { store, inner }
  }

  // A send's store calls before the PIN: the number's sends so far (hit), then one hitAll for the
  // quotas with the range velocity and one for the spend; a give-back is a hit.
  it.each([
    ['blips at the first quota', 'hit', 1, 'blip', 0, 0],
    ['blips taking the quotas', 'hitAll', 1, 'blip', 0, 0],
    ['blips at a later step (the quotas taken are given back)', 'hitAll', 2, 'blip', 0, 0],
    [
      'is gone from a later step on (it can take no give-back: one send stays counted)',
      ['hit', 'hitAll'],
      3,
      'gone',
      0,
      1,
    ],
    ['blips creating the PIN', 'createPin', 1, 'blip', 0, 0],
    ['blips recording the SMS after it went out (the send stays counted)', 'updatePin', 1, 'blip', 1, 1],
  ] as const)(
    'the store %s: 503 STORE_UNAVAILABLE with Retry-After, no pinId, SMS and count as the case says',
    async (_, operation, nth, mode, smsSent, counted) => {
      const { store, inner } = failing(operation, nth, mode)
      const kit = makeKit({ store })
      const response = await kit.post('/pin', { phoneNumber: MOBILE_HR })
      expect(response.status).toBe(503)
      expect(response.headers.get('Retry-After')).toBe('5')
      expect(await errorOf(response)).toEqual({ code: 'STORE_UNAVAILABLE', message: expect.any(String) })
      expect(kit.sms.outbox).toHaveLength(smsSent)
      const count = (await inner.hit(`send:number:${MOBILE_HR}`, 99, 86_400_000, kit.clock.now(), 0)).count
      expect(count).toBe(counted)
    },
  )
})
