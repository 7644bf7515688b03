/**
 * The provider conformance suite: what every SMS adapter must do, run against each one and its local
 * fake (`testProvider('infobip', setupInfobip)`). The fakes check the request contract and answer
 * like the real services; this suite checks the adapter's side: formats, results, error classes,
 * time budget, delivery-report parsing and authentication.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProviderAccountError, SendFailedError, sendWithFailover } from '../../server/providers/failover.js'
import { ProviderError, type SmsMessage, type SmsProvider } from '../../server/providers/types.js'
import type { DeliveryStatus } from '../../server/stores/types.js'
import type { FakeReportOutcome, FakeScenario } from '../fakes/http-fake.js'

export interface ConformanceFake {
  messages: Array<{ to: string; text: string }>
  lookups: string[]
  violations: string[]
  failNext(endpoint: 'send' | 'lookup', scenario: FakeScenario, times?: number): void
  deliveryReport(messageId: string, outcome: FakeReportOutcome, options?: { forged?: boolean }): Request
}

export interface ProviderOverrides {
  /** Build the adapter with credentials the fake doesn't accept. */
  wrongCredentials?: boolean
  /** Point the adapter somewhere else (a closed port, say). */
  baseUrl?: string
  /** Build it without any delivery-report secret (Twilio always has its auth token). */
  withoutReportSecret?: boolean
}

export interface ConformanceHarness {
  fake: ConformanceFake
  provider(overrides?: ProviderOverrides): SmsProvider
  /** How this provider's API wants `+41793026727` written. */
  recipient(e164: string): string
  /** The provider's id of the last message the fake accepted. */
  lastMessageId(): string
  /** A report this provider authenticates, with content it must refuse as malformed. */
  malformedDeliveryReport(url: string): Promise<Request> | Request
  /** Present when the adapter has `lookup`: makes the fake answer "this number does not exist". */
  makeInvalid?: (e164: string) => void
  close(): Promise<void>
}

const REPORT_URL = 'https://kit.example/2fa/reports/'

const EXPECTED_STATUS: Record<FakeReportOutcome, DeliveryStatus> = {
  delivered: 'DELIVERED',
  sent: 'SENT',
  undeliverable: 'UNDELIVERABLE',
  failed: 'FAILED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError)
    return error as ProviderError
  }
  throw new Error('expected the call to fail')
}

export function testProvider(name: string, setup: () => Promise<ConformanceHarness>): void {
  describe(`${name} provider conformance`, () => {
    let harness: ConformanceHarness
    let provider: SmsProvider
    const message = (overrides: Partial<SmsMessage> = {}): SmsMessage => ({
      to: '+41793026727',
      text: '482913 is your code.\n\n@example.com #482913',
      reference: `ref-${Math.random().toString(36).slice(2, 12)}`,
      deliveryReportUrl: `${REPORT_URL}${name}`,
      validitySeconds: 300,
      ...overrides,
    })

    beforeEach(async () => {
      harness = await setup()
      provider = harness.provider()
    })
    afterEach(async () => {
      await harness.close()
    })

    it('is named and sends one SMS in the documented request format', async () => {
      expect(provider.name).toBe(name)
      const result = await provider.send(message())
      expect(result).toEqual({ messageId: harness.lastMessageId(), status: 'ACCEPTED', provider: name })
      expect(harness.fake.messages).toHaveLength(1)
      expect(harness.fake.messages[0]).toMatchObject({
        to: harness.recipient('+41793026727'),
        text: '482913 is your code.\n\n@example.com #482913',
      })
      expect(harness.fake.violations).toEqual([])
    })

    it('sends text outside GSM-7 unchanged', async () => {
      const text = 'Vaš kôd je 482913 ✓ 🙂\n\n@example.com #482913'
      await provider.send(message({ text }))
      expect(harness.fake.messages[0]?.text).toBe(text)
      expect(harness.fake.violations).toEqual([])
    })

    it('classifies a 429 / throttling answer as transient', async () => {
      harness.fake.failNext('send', 'rate-limited')
      const failure = await failureOf(provider.send(message()))
      expect(failure.kind).toBe('transient')
      expect(failure.provider).toBe(name)
      expect(failure.details.providerCode).toBeTruthy()
      expect(harness.fake.messages).toHaveLength(0)
    })

    it('classifies a server error as transient', async () => {
      harness.fake.failNext('send', 'server-error')
      const failure = await failureOf(provider.send(message()))
      expect(failure.kind).toBe('transient')
    })

    it('classifies a malformed answer as transient', async () => {
      harness.fake.failNext('send', 'malformed')
      const failure = await failureOf(provider.send(message()))
      expect(failure.kind).toBe('transient')
      expect(failure.details.providerCode).toBe('MALFORMED_RESPONSE')
    })

    it('classifies refused credentials as a permanent failure of this provider only', async () => {
      const failure = await failureOf(harness.provider({ wrongCredentials: true }).send(message()))
      expect(failure.kind).toBe('permanent')
      expect(failure).toBeInstanceOf(ProviderAccountError)
      expect(harness.fake.messages).toHaveLength(0)
    })

    it('classifies an account-side refusal as a permanent failure of this provider only', async () => {
      harness.fake.failNext('send', 'account-error')
      const failure = await failureOf(provider.send(message()))
      expect(failure.kind).toBe('permanent')
      expect(failure).toBeInstanceOf(ProviderAccountError)
    })

    it('classifies an invalid number as permanent and about the recipient (no failover)', async () => {
      harness.fake.failNext('send', 'invalid-number')
      const failure = await failureOf(provider.send(message()))
      expect(failure.kind).toBe('permanent')
      expect(failure).not.toBeInstanceOf(ProviderAccountError)
      expect(failure.details.providerCode).toBeTruthy()
    })

    it('stops waiting when its signal aborts (the fake hangs)', async () => {
      harness.fake.failNext('send', 'hang')
      const controller = new AbortController()
      const pending = provider.send(message(), { signal: controller.signal })
      setTimeout(() => controller.abort(), 100)
      const failure = await failureOf(pending)
      expect(failure.kind).toBe('transient')
      expect(failure.details.providerCode).toBe('TIMEOUT')
    })

    it('is given up on within the failover time budget when the fake hangs', async () => {
      harness.fake.failNext('send', 'hang')
      const failure = await failureOf(
        sendWithFailover([provider], message(), { timeoutMs: 300, retriesPerProvider: 0 }),
      )
      expect(failure).toBeInstanceOf(SendFailedError)
      expect((failure as SendFailedError).attempts).toEqual([
        { provider: name, outcome: 'timeout', code: 'TIMEOUT' },
      ])
    })

    it('classifies an unreachable server as transient', async () => {
      const failure = await failureOf(harness.provider({ baseUrl: 'http://127.0.0.1:9' }).send(message()))
      expect(failure.kind).toBe('transient')
      expect(failure.details.providerCode).toBe('NETWORK_ERROR')
    })

    describe('delivery reports', () => {
      for (const [outcome, expected] of Object.entries(EXPECTED_STATUS) as Array<
        [FakeReportOutcome, DeliveryStatus]
      >) {
        it(`maps a "${outcome}" report to ${expected}`, async () => {
          const { messageId } = await provider.send(message())
          const request = harness.fake.deliveryReport(messageId, outcome)
          const reports = await provider.parseDeliveryReports!(request, { url: request.url })
          expect(reports).toHaveLength(1)
          expect(reports[0]).toMatchObject({ messageId, status: expected })
          expect(reports[0]?.providerStatus).toBeTruthy()
        })
      }

      it('refuses a forged report', async () => {
        const { messageId } = await provider.send(message())
        const request = harness.fake.deliveryReport(messageId, 'delivered', { forged: true })
        const failure = await failureOf(provider.parseDeliveryReports!(request, { url: request.url }))
        expect(failure.kind).toBe('unauthorized')
      })

      it('refuses an authentic report it cannot read', async () => {
        await provider.send(message())
        const request = await harness.malformedDeliveryReport(`${REPORT_URL}${name}`)
        const failure = await failureOf(provider.parseDeliveryReports!(request, { url: request.url }))
        expect(failure.kind).toBe('malformed')
      })

      it('refuses every report when no secret is configured to check it', async (context) => {
        if (name === 'twilio') return context.skip() // always signed with the auth token
        const withoutSecret = harness.provider({ withoutReportSecret: true })
        const { messageId } = await provider.send(message())
        const request = harness.fake.deliveryReport(messageId, 'delivered')
        const failure = await failureOf(withoutSecret.parseDeliveryReports!(request, { url: request.url }))
        expect(failure.kind).toBe('unauthorized')
      })
    })

    describe('lookup', () => {
      it('answers for a reachable mobile number, in the provider’s number format', async (context) => {
        if (!provider.lookup) return context.skip()
        const result = await provider.lookup('+41793026727')
        expect(result).toMatchObject({ valid: true, lineType: 'mobile' })
        expect(result.reachable).not.toBe(false)
        expect(result.raw).toBeTruthy()
        expect(harness.fake.lookups).toEqual([harness.recipient('+41793026727')])
        expect(harness.fake.violations).toEqual([])
      })

      it('says when a number does not exist', async (context) => {
        if (!provider.lookup || !harness.makeInvalid) return context.skip()
        harness.makeInvalid('+41790000000')
        const result = await provider.lookup('+41790000000')
        expect(result.valid).toBe(false)
      })

      it('classifies a throttled lookup as transient', async (context) => {
        if (!provider.lookup) return context.skip()
        harness.fake.failNext('lookup', 'rate-limited')
        const failure = await failureOf(provider.lookup('+41793026727'))
        expect(failure.kind).toBe('transient')
      })

      it('classifies a malformed lookup answer as transient', async (context) => {
        if (!provider.lookup) return context.skip()
        harness.fake.failNext('lookup', 'malformed')
        const failure = await failureOf(provider.lookup('+41793026727'))
        expect(failure.kind).toBe('transient')
      })
    })
  })
}
