import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startInfobipFake, type InfobipFake } from '../../test/fakes/infobip.js'
import { startTwilioFake, type TwilioFake } from '../../test/fakes/twilio.js'
import { callWithTimeout, SendFailedError, sendWithFailover } from './failover.js'
import { infobipProvider } from './infobip.js'
import { twilioProvider } from './twilio.js'
import { ProviderError, type SmsMessage, type SmsProvider } from './types.js'

const message: SmsMessage = { to: '+41793026727', text: '482913 is your code.', reference: 'pin-1-1' }
const fast = { timeoutMs: 2000, retryDelayMs: 1 }

async function failureOf(promise: Promise<unknown>): Promise<SendFailedError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(SendFailedError)
    return error as SendFailedError
  }
  throw new Error('expected the send to fail')
}

describe('sendWithFailover', () => {
  let infobip: InfobipFake
  let twilio: TwilioFake
  let primary: SmsProvider
  let secondary: SmsProvider

  beforeEach(async () => {
    infobip = await startInfobipFake()
    twilio = await startTwilioFake()
    primary = infobipProvider({ baseUrl: infobip.url, apiKey: infobip.apiKey })
    secondary = twilioProvider({
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      from: '+15005550006',
      baseUrl: twilio.url,
    })
  })
  afterEach(async () => {
    await Promise.all([infobip.close(), twilio.close()])
  })

  it('sends through the first provider when it accepts', async () => {
    const { result, attempts } = await sendWithFailover([primary, secondary], message, fast)
    expect(result).toMatchObject({ provider: 'infobip', messageId: 'pin-1-1', status: 'ACCEPTED' })
    expect(attempts).toEqual([{ provider: 'infobip', outcome: 'sent' }])
    expect(twilio.requests).toHaveLength(0)
  })

  it('retries a transient failure on the same provider (bounded)', async () => {
    infobip.failNext('send', 'rate-limited')
    const { result, attempts } = await sendWithFailover([primary, secondary], message, fast)
    expect(result.provider).toBe('infobip')
    expect(attempts).toEqual([
      { provider: 'infobip', outcome: 'transient', code: 'E429' },
      { provider: 'infobip', outcome: 'sent' },
    ])
    expect(infobip.messages).toHaveLength(1)
  })

  it('fails over to the next provider when retries run out', async () => {
    infobip.failNext('send', 'server-error', 2)
    const { result, attempts } = await sendWithFailover([primary, secondary], message, fast)
    expect(result.provider).toBe('twilio')
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['transient', 'transient', 'sent'])
    expect(infobip.messages).toHaveLength(0)
    expect(twilio.messages).toHaveLength(1)
    expect(twilio.messages[0]?.to).toBe('+41793026727')
  })

  it('honours retriesPerProvider: 0', async () => {
    infobip.failNext('send', 'server-error')
    const { attempts } = await sendWithFailover([primary, secondary], message, {
      ...fast,
      retriesPerProvider: 0,
    })
    expect(attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual([
      'infobip:transient',
      'twilio:sent',
    ])
  })

  it('stops at a permanent failure about the recipient: no other provider is tried', async () => {
    infobip.failNext('send', 'invalid-number')
    const failure = await failureOf(sendWithFailover([primary, secondary], message, fast))
    expect(failure.kind).toBe('permanent')
    expect(failure.attempts).toEqual([
      { provider: 'infobip', outcome: 'permanent', code: 'REJECTED_DESTINATION' },
    ])
    expect(twilio.requests).toHaveLength(0)
    expect(failure.message).toContain('infobip: permanent REJECTED_DESTINATION')
  })

  it('skips a provider whose account is refused, without retrying it', async () => {
    const misconfigured = infobipProvider({ baseUrl: infobip.url, apiKey: 'revoked-key' })
    const { result, attempts } = await sendWithFailover([misconfigured, secondary], message, fast)
    expect(result.provider).toBe('twilio')
    expect(attempts).toEqual([
      { provider: 'infobip', outcome: 'permanent', code: 'E401' },
      { provider: 'twilio', outcome: 'sent' },
    ])
    expect(infobip.requests).toHaveLength(1)
  })

  it('moves on after a timeout without re-sending to the provider that may have sent it', async () => {
    infobip.failNext('send', 'hang')
    const { result, attempts } = await sendWithFailover([primary, secondary], message, {
      ...fast,
      timeoutMs: 300,
    })
    expect(result.provider).toBe('twilio')
    expect(attempts).toEqual([
      { provider: 'infobip', outcome: 'timeout', code: 'TIMEOUT' },
      { provider: 'twilio', outcome: 'sent' },
    ])
    expect(infobip.requests).toHaveLength(1)
  })

  it('never re-sends to a provider that timed out, even the last one: its SMS may be out; the outcome is unknown', async () => {
    infobip.failNext('send', 'hang')
    const failure = await failureOf(sendWithFailover([primary], message, { ...fast, timeoutMs: 300 }))
    expect(failure.attempts).toEqual([{ provider: 'infobip', outcome: 'timeout', code: 'TIMEOUT' }])
    expect(failure.outcomeUnknown).toBe(true)
    expect(infobip.requests).toHaveLength(1)
  })

  it('a 2xx answer it cannot read means the provider took the SMS: no retry, no other provider, outcome unknown', async () => {
    infobip.failNext('send', 'malformed')
    const failure = await failureOf(sendWithFailover([primary, secondary], message, fast))
    expect(failure.attempts).toEqual([
      { provider: 'infobip', outcome: 'unknown', code: 'MALFORMED_RESPONSE' },
    ])
    expect(failure.outcomeUnknown).toBe(true)
    expect(failure.unknownOutcome?.provider).toBe('infobip')
    expect(infobip.requests).toHaveLength(1)
    expect(twilio.requests).toHaveLength(0)
  })

  it('a chain where every provider answered with a refusal has a known outcome: nothing was sent', async () => {
    infobip.failNext('send', 'server-error', 2)
    const failure = await failureOf(sendWithFailover([primary], message, fast))
    expect(failure.outcomeUnknown).toBe(false)
  })

  it('reports every attempt when nobody accepted, as a transient failure', async () => {
    infobip.failNext('send', 'server-error', 2)
    twilio.failNext('send', 'rate-limited', 2)
    const failure = await failureOf(sendWithFailover([primary, secondary], message, fast))
    expect(failure.kind).toBe('transient')
    expect(failure.attempts).toEqual([
      { provider: 'infobip', outcome: 'transient', code: 'E500' },
      { provider: 'infobip', outcome: 'transient', code: 'E500' },
      { provider: 'twilio', outcome: 'transient', code: '20429' },
      { provider: 'twilio', outcome: 'transient', code: '20429' },
    ])
    expect(failure.provider).toBe('twilio')
    expect(infobip.messages).toHaveLength(0)
    expect(twilio.messages).toHaveLength(0)
  })

  it('bounds a provider that ignores its abort signal', async () => {
    const stuck: SmsProvider = { name: 'stuck', send: () => new Promise(() => undefined) }
    const { result, attempts } = await sendWithFailover([stuck, secondary], message, {
      ...fast,
      timeoutMs: 200,
    })
    expect(result.provider).toBe('twilio')
    expect(attempts[0]).toEqual({ provider: 'stuck', outcome: 'timeout', code: 'TIMEOUT' })
  })

  it('treats an adapter bug as transient and fails over', async () => {
    const broken: SmsProvider = {
      name: 'broken',
      send: async () => {
        throw new TypeError('cannot read properties of undefined')
      },
    }
    const { attempts } = await sendWithFailover([broken, secondary], message, {
      ...fast,
      retriesPerProvider: 0,
    })
    expect(attempts).toEqual([
      { provider: 'broken', outcome: 'transient', code: 'UNEXPECTED_ERROR' },
      { provider: 'twilio', outcome: 'sent' },
    ])
  })

  it('refuses bad options with what to change', async () => {
    await expect(sendWithFailover([], message)).rejects.toThrow(/at least one SMS provider/)
    await expect(sendWithFailover([primary], message, { timeoutMs: 0 })).rejects.toThrow(
      /"timeoutMs" must be an integer ≥ 1/,
    )
    await expect(sendWithFailover([primary], message, { retriesPerProvider: -1 })).rejects.toThrow(
      /retriesPerProvider/,
    )
  })
})

describe('callWithTimeout', () => {
  it('passes the result through and aborts the signal when time runs out', async () => {
    await expect(callWithTimeout('p', 1000, async () => 'ok')).resolves.toBe('ok')
    let seen: AbortSignal | undefined
    const pending = callWithTimeout('p', 50, ({ signal }) => {
      seen = signal
      return new Promise(() => undefined)
    })
    await expect(pending).rejects.toMatchObject({ kind: 'transient', details: { providerCode: 'TIMEOUT' } })
    expect(seen?.aborted).toBe(true)
    expect(seen?.reason).toBeInstanceOf(ProviderError)
  })

  it('hands out an already aborted signal when it is first read after the time ran out', async () => {
    let late: (() => AbortSignal) | undefined
    const pending = callWithTimeout('p', 20, (options) => {
      late = () => options.signal
      return new Promise(() => undefined)
    })
    await expect(pending).rejects.toMatchObject({ details: { providerCode: 'TIMEOUT' } })
    expect(late?.().aborted).toBe(true)
    expect(late?.().reason).toBeInstanceOf(ProviderError)
  })
})
