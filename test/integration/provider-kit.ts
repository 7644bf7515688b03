/**
 * What the provider-flow suites share: the three provider fakes, started fresh for every test (live
 * bindings: import them and read them inside tests), adapters pointed at them, and a test kit served
 * over real HTTP so that the fakes' delivery reports reach it as they would in production.
 */
import { afterEach, beforeEach, expect } from 'vitest'
import { memoryStore, type TwoFactorInit } from '../../server/index.js'
import { infobipProvider } from '../../server/providers/infobip.js'
import { twilioProvider } from '../../server/providers/twilio.js'
import { vonageProvider } from '../../server/providers/vonage.js'
import type { PinRecord, TwoFactorStore } from '../../server/stores/types.js'
import { startInfobipFake, type InfobipFake } from '../fakes/infobip.js'
import { startTwilioFake, type TwilioFake } from '../fakes/twilio.js'
import { startVonageFake, type VonageFake } from '../fakes/vonage.js'
import { fakeClock, makeKit, MOBILE_HR } from '../helpers/kit.js'
import { listen, type Listener } from './support.js'

export const SECRET = 'integration-secret-0123456789-abcdefghijklmnop'
export const REPORT_SECRET = 'report-secret-0123456789abcdef'
export const DIGITS_HR = MOBILE_HR.slice(1)
export const ORIGIN = 'https://shop.example'
// Long enough for any answer of a local fake even on a busy machine; only the "hang" scenarios wait it out.
export const PROVIDER_TIMEOUT = '1500ms'
// For a test whose only provider call hangs: nothing has to answer within it, so it can be short.
export const HANG_ONLY_PROVIDER_TIMEOUT = '100ms'

export let infobip: InfobipFake
export let twilio: TwilioFake
export let vonage: VonageFake
let listeners: Listener[] = []

/** Starts the fakes before each test of the calling file and closes them (and served kits) after it. */
export function useProviderFakes(): void {
  beforeEach(async () => {
    ;[infobip, twilio, vonage] = await Promise.all([startInfobipFake(), startTwilioFake(), startVonageFake()])
    listeners = []
  })

  afterEach(async () => {
    await Promise.all([infobip.close(), twilio.close(), vonage.close(), ...listeners.map((l) => l.close())])
    // Every request the kit made must have kept to each provider's documented contract.
    expect([...infobip.violations, ...twilio.violations, ...vonage.violations]).toEqual([])
  })
}

/** Closes `listener` after the current test, with the fakes. */
export function closedAfterTest(listener: Listener): Listener {
  listeners.push(listener)
  return listener
}

export const infobipSms = (options: Partial<Parameters<typeof infobipProvider>[0]> = {}) =>
  infobipProvider({
    baseUrl: infobip.url,
    apiKey: infobip.apiKey,
    deliveryReportSecret: REPORT_SECRET,
    ...options,
  })
export const twilioSms = () =>
  twilioProvider({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: '+15005550006',
    baseUrl: twilio.url,
    lookupBaseUrl: twilio.url,
  })
export const vonageSms = (options: Partial<Parameters<typeof vonageProvider>[0]> = {}) =>
  vonageProvider({
    apiKey: vonage.apiKey,
    apiSecret: vonage.apiSecret,
    from: 'Acme',
    baseUrl: vonage.url,
    deliveryReportSecret: REPORT_SECRET,
    ...options,
  })

export interface SendAnswer {
  pinId: string
  lookup: { valid: boolean; ncStatus: string; lineType?: string }
  sms: { status: string; provider: string; messageId: string; encoding: string; segments: number }
}

/**
 * A test kit (makeKit) served over real HTTP on 127.0.0.1, its `deliveryReportUrl` pointing at its
 * own /reports, with a store that remembers which PIN records were created.
 */
export async function servedKit(overrides: TwoFactorInit) {
  const listener = closedAfterTest(await listen())
  const clock = fakeClock()
  const inner = memoryStore({ clock: clock.now })
  const created: PinRecord[] = []
  const store: TwoFactorStore = {
    ...inner,
    createPin: async (record) => {
      created.push(record)
      await inner.createPin(record)
    },
  }
  const kit = makeKit({
    secret: SECRET,
    clock: clock.now,
    store,
    deliveryReportUrl: `${listener.url}/reports`,
    ...overrides,
  })
  listener.handle(kit.app.fetch)
  /** Sends a PIN; returns the 201 answer. */
  async function send(phoneNumber = MOBILE_HR) {
    const response = await kit.post('/pin', { phoneNumber })
    expect(response.status, await response.clone().text()).toBe(201)
    return (await response.json()) as SendAnswer
  }
  async function pinState(pinId: string) {
    return (await (await kit.get(`/pin/${pinId}`)).json()) as { status: string; deliveryStatus: string }
  }
  /** Sends counted against a number's per-number limit right now (cost 0 only reads the counter). */
  async function sendsCounted(e164 = MOBILE_HR) {
    return (await store.hit(`send:number:${e164}`, 1000, 86_400_000, clock.now(), 0)).count
  }
  return { ...kit, clock, store, created, reports: `${listener.url}/reports`, send, pinState, sendsCounted }
}

export const pinIn = (text: string) => /^(\d{6}) /.exec(text)?.[1] ?? ''
export const smsRequests = (fake: { requests: { path: string }[] }, path: RegExp) =>
  fake.requests.filter((request) => path.test(request.path))
