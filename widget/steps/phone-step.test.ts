import { expect, fixtureCleanup, oneEvent } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { TwoFactorErrorEvent } from '../events.js'
import { installFakeApi, refusal, type FakeApi } from '../testing/fake-api.js'
import {
  click,
  find,
  get,
  mount,
  onRealTimers,
  paste,
  text,
  typeInto,
  until,
  useFakeClock,
} from '../testing/mount.js'

let api: FakeApi
beforeEach(() => {
  api = installFakeApi()
})
afterEach(() => {
  fixtureCleanup()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const phone = (element: HTMLElement & { shadowRoot: ShadowRoot | null }) =>
  element.shadowRoot!.querySelector<HTMLInputElement>('#phone')!

describe('phone step: formatting', () => {
  it('formats as the person types', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '0911234567')
    expect(phone(element).value).to.equal('091 123 4567')
    expect(element.phone.text).to.equal('091 123 4567')
  })

  it('keeps the caret among the same digits when typing in the middle', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '091123456')
    const input = phone(element)
    input.setSelectionRange(5, 5) // "091 1|23 456": after the 4th digit
    await userEvent.keyboard('9')
    await element.updateComplete
    expect(input.value).to.equal('091 192 3456')
    expect(input.selectionStart).to.equal(6) // still right after the typed 9
  })

  it('deletes the digit before a formatting space on backspace', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '0911234567')
    const input = phone(element)
    input.setSelectionRange(4, 4) // "091 |123": right after the space
    await userEvent.keyboard('{Backspace}')
    await element.updateComplete
    expect(input.value.replace(/\D/g, '')).to.equal('091234567')
    expect(input.value.slice(0, input.selectionStart!).replace(/\D/g, '')).to.equal('09')
  })

  it('switches the country when an international number is pasted, with + or 00', async () => {
    const element = await mount('default-country="HR"')
    await paste(element, '#phone', '+44 7400 123456')
    expect(element.phone.country).to.equal('GB')
    expect(phone(element).value).to.equal('07400 123456')
    expect(text(element, '#country')).to.contain('+44')

    await paste(element, '#phone', '0049 1512 3456789')
    expect(element.phone.country).to.equal('DE')
    expect(phone(element).value).to.equal('01512 3456789')
  })

  it('follows a typed + number to its country', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '+33612345678')
    expect(element.phone.country).to.equal('FR')
    expect(phone(element).value).to.equal('+33 6 12 34 56 78')
  })

  it('refuses a pasted number from a country the server does not allow', async () => {
    const element = await mount('default-country="HR"')
    await paste(element, '#phone', '+61 412 345 678')
    expect(element.phone.country).to.equal('HR')
    expect(text(element, '#phone-error')).to.equal('Numbers from this country can’t be used here.')
    await expect(element).to.be.accessible()
  })

  it('accepts an autofilled international number that lost its +', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '385911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')[0]?.body?.phoneNumber).to.equal('+385911234567')
  })
})

describe('phone step: validation', () => {
  it('says too short, too long and required, tied to the input', async () => {
    const element = await mount('default-country="HR"')
    await click(element, 'button[type=submit]')
    expect(text(element, '#phone-error')).to.equal('Enter your phone number.')

    await typeInto(element, '#phone', '09112')
    await click(element, 'button[type=submit]')
    expect(text(element, '#phone-error')).to.equal('This number is too short.')
    expect(phone(element).getAttribute('aria-invalid')).to.equal('true')
    expect(phone(element).getAttribute('aria-describedby')).to.equal('phone-hint phone-error')
    expect(element.shadowRoot!.activeElement).to.equal(phone(element))
    await expect(element).to.be.accessible()

    await userEvent.keyboard('34567')
    await element.updateComplete
    expect(find(element, '#phone-error')).to.equal(null) // fixed: the message goes as soon as it is
    await userEvent.keyboard('8')
    await element.updateComplete
    expect(text(element, '#phone-error')).to.equal('This number is too long.') // at once: typing on can't fix it
    expect(api.requestsTo('POST /pin')).to.have.length(0)
  })

  it('validates on leaving the field and clears the message once fixed', async () => {
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '0911')
    phone(element).blur()
    await element.updateComplete
    expect(text(element, '#phone-error')).to.equal('This number is too short.')
    await typeInto(element, '#phone', '234567')
    expect(find(element, '#phone-error')).to.equal(null)
    expect(phone(element).getAttribute('aria-invalid')).to.equal('false')
  })
})

describe('phone step: the server’s refusals', () => {
  const cases: [string, ReturnType<typeof refusal>, string][] = [
    [
      'PHONE_NUMBER_INVALID',
      refusal(400, 'PHONE_NUMBER_INVALID', { reason: 'INVALID' }),
      'This is not a valid phone number.',
    ],
    [
      'PHONE_NUMBER_INVALID/TOO_SHORT',
      refusal(400, 'PHONE_NUMBER_INVALID', { reason: 'TOO_SHORT' }),
      'This number is too short.',
    ],
    [
      'NUMBER_TYPE_NOT_ALLOWED',
      refusal(422, 'NUMBER_TYPE_NOT_ALLOWED', { numberType: 'FIXED_LINE' }),
      'Please use a mobile number.',
    ],
    [
      'NUMBER_NOT_REACHABLE',
      refusal(422, 'NUMBER_NOT_REACHABLE'),
      'We can’t reach this number. Check it or use another one.',
    ],
    ['SMS_NOT_SENT', refusal(502, 'SMS_NOT_SENT'), 'We couldn’t send the text message. Please try again.'],
    [
      'LOOKUP_FAILED',
      refusal(503, 'LOOKUP_FAILED'),
      'The service is unavailable right now. Please try again in a moment.',
    ],
    [
      'STORE_UNAVAILABLE',
      refusal(503, 'STORE_UNAVAILABLE'),
      'The service is unavailable right now. Please try again in a moment.',
    ],
    [
      'INTERNAL_ERROR',
      refusal(500, 'INTERNAL_ERROR'),
      'The service is unavailable right now. Please try again in a moment.',
    ],
  ]
  for (const [name, reply, message] of cases) {
    it(`${name}: says so, stays on the number, reports the code`, async () => {
      const element = await mount('default-country="HR"')
      api.replyOnce('POST /pin', reply)
      await typeInto(element, '#phone', '0911234567')
      const reported = oneEvent(element, TwoFactorErrorEvent.type)
      await click(element, 'button[type=submit]')
      expect((await reported).detail.code).to.equal(name.split('/')[0])
      await until(() => find(element, '#phone-error'))
      expect(text(element, '#phone-error')).to.equal(message)
      expect(text(element, '[role=status]')).to.equal(message)
      expect(find(element, '#pin')).to.equal(null)
    })
  }

  const blocked = (reason: string, scope: string, retryAfter?: number) =>
    refusal(403, 'SEND_BLOCKED', { reason, scope, ...(retryAfter ? { retryAfter } : {}) })
  const blocks: [string, ReturnType<typeof refusal>, string][] = [
    [
      'COUNTRY_NOT_ALLOWED',
      blocked('COUNTRY_NOT_ALLOWED', 'country:HR'),
      'Numbers from this country can’t be used here.',
    ],
    [
      'HIGH_RISK_DESTINATION',
      blocked('HIGH_RISK_DESTINATION', 'country:HR'),
      'Codes can’t be sent to satellite or other special numbers. Please use a mobile number.',
    ],
    [
      'RANGE_VELOCITY with retryAfter',
      blocked('RANGE_VELOCITY', 'range:385911234', 300),
      'Too many codes were sent to numbers like this one. Please try again in 5 min.',
    ],
    [
      'RANGE_VELOCITY without retryAfter',
      blocked('RANGE_VELOCITY', 'range:385911234'),
      'Too many codes were sent to numbers like this one. Please try again later.',
    ],
    [
      'LOW_CONVERSION',
      blocked('LOW_CONVERSION', 'network:21901', 3600),
      'Sending codes to numbers like this one is paused for now. Please try again later.',
    ],
    [
      'SPEND_CEILING',
      blocked('SPEND_CEILING', 'application', 40_000),
      'No more codes can be sent today. Please try again tomorrow.',
    ],
    [
      'a reason the widget does not know',
      blocked('SIM_SWAP', 'range:3859112'),
      'Codes can’t be sent to this number right now.',
    ],
  ]
  for (const [name, reply, message] of blocks) {
    it(`SEND_BLOCKED, ${name}: says so, reports SEND_BLOCKED, lets the person send to another number`, async () => {
      const element = await mount('default-country="HR"')
      api.replyOnce('POST /pin', reply)
      await typeInto(element, '#phone', '0911234567')
      const reported = oneEvent(element, TwoFactorErrorEvent.type)
      await click(element, 'button[type=submit]')
      expect((await reported).detail.code).to.equal('SEND_BLOCKED')
      await until(() => find(element, '#phone-error'))
      expect(text(element, '#phone-error')).to.equal(message)
      expect(text(element, '[role=status]')).to.equal(message)
      expect(phone(element).getAttribute('aria-invalid')).to.equal('true')
      expect(phone(element).getAttribute('aria-describedby')).to.equal('phone-hint phone-error')
      expect(element.shadowRoot!.activeElement).to.equal(phone(element))
      await expect(element).to.be.accessible()

      // The block is for that number's country, range or network, not for the person: another
      // number may go out at once, so the button is not held (the server decides again).
      expect(get<HTMLButtonElement>(element, 'button[type=submit]').disabled).to.equal(false)
      await userEvent.keyboard('{Backspace}8')
      await element.updateComplete
      expect(find(element, '#phone-error')).to.equal(null)
      await click(element, 'button[type=submit]')
      await until(() => find(element, '#pin'))
      expect(api.requestsTo('POST /pin').map((request) => request.body?.phoneNumber)).to.deep.equal([
        '+385911234567',
        '+385911234568',
      ])
    })
  }

  const croatian: [string, ReturnType<typeof refusal>, string][] = [
    [
      'COUNTRY_NOT_ALLOWED',
      blocked('COUNTRY_NOT_ALLOWED', 'country:HR'),
      'Brojevi iz ove države ovdje se ne mogu koristiti.',
    ],
    [
      'HIGH_RISK_DESTINATION',
      blocked('HIGH_RISK_DESTINATION', 'country:HR'),
      'Kôdovi se ne mogu slati na satelitske ni druge posebne brojeve. Upotrijebite broj mobitela.',
    ],
    [
      'RANGE_VELOCITY',
      blocked('RANGE_VELOCITY', 'range:385911234', 90),
      'Na slične je brojeve poslano previše kôdova. Pokušajte ponovno za 1 min 30 s.',
    ],
    [
      'LOW_CONVERSION',
      blocked('LOW_CONVERSION', 'country:HR'),
      'Slanje kôdova na slične brojeve zasad je zaustavljeno. Pokušajte ponovno kasnije.',
    ],
    [
      'SPEND_CEILING',
      blocked('SPEND_CEILING', 'country:HR', 600),
      'Danas se više ne mogu slati kôdovi. Pokušajte ponovno sutra.',
    ],
    [
      'an unknown reason',
      blocked('SOMETHING_NEW', 'application'),
      'Na ovaj se broj trenutačno ne mogu slati kôdovi.',
    ],
  ]
  for (const [name, reply, message] of croatian) {
    it(`SEND_BLOCKED, ${name}: says so in the page’s language (hr)`, async () => {
      const element = await mount('lang="hr" default-country="HR"')
      await until(() => text(element, 'button[type=submit]') === 'Pošalji kôd', 'Croatian never loaded')
      api.replyOnce('POST /pin', reply)
      await typeInto(element, '#phone', '0911234567')
      await click(element, 'button[type=submit]')
      await until(() => find(element, '#phone-error'))
      expect(text(element, '#phone-error')).to.equal(message)
    })
  }

  it('SEND_BLOCKED: the message follows a change of language, its wait included', async () => {
    const element = await mount('default-country="HR"')
    api.replyOnce('POST /pin', blocked('RANGE_VELOCITY', 'range:385911234', 45))
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.match(
      /^Too many codes were sent to numbers like this one\. Please try again in 45\s?sec\.$/,
    )
    element.lang = 'de'
    await until(() => text(element, '#phone-error').startsWith('An ähnliche'), 'German never came')
    expect(text(element, '#phone-error')).to.match(
      /^An ähnliche Nummern wurden zu viele Codes gesendet\. Bitte versuchen Sie es in 45\s?Sek\.? erneut\.$/,
    )
  })

  it('a network failure is reported as NETWORK_ERROR and can be retried', async () => {
    const element = await mount('default-country="HR"')
    const working = globalThis.fetch
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')))
    await typeInto(element, '#phone', '0911234567')
    const reported = oneEvent(element, TwoFactorErrorEvent.type)
    await click(element, 'button[type=submit]')
    expect((await reported).detail.code).to.equal('NETWORK_ERROR')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal('Connection problem. Check your connection and try again.')
    vi.stubGlobal('fetch', working)
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
  })

  it('RATE_LIMITED: shows the wait, blocks sending until it is over, then lets the person retry', async () => {
    const element = await mount('default-country="HR"')
    api.replyOnce(
      'POST /pin',
      refusal(429, 'RATE_LIMITED', { limit: 'sendPinPerIp', retryAfter: 1 }, { 'Retry-After': '1' }),
    )
    await typeInto(element, '#phone', '0911234567')
    useFakeClock()
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'), 'the wait was never shown')
    expect(text(element, '#phone-error')).to.match(
      /^Too many codes were requested from this network\. You can ask for a new code in 1\ssec\.$/,
    )
    const send = get<HTMLButtonElement>(element, 'button[type=submit]')
    expect(send.disabled).to.equal(true)
    await onRealTimers(() => expect(element).to.be.accessible())
    await vi.advanceTimersByTimeAsync(999)
    await element.updateComplete
    expect(send.disabled).to.equal(true)
    await vi.advanceTimersByTimeAsync(1)
    await element.updateComplete
    expect(send.disabled).to.equal(false)
    expect(text(element, '[role=status]')).to.equal('You can try again now.')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'), 'the retry never reached the PIN step')
    expect(api.requestsTo('POST /pin')).to.have.length(2)
  })

  it('RATE_LIMITED for the number: says why and when in words, the wait announced with its unit; focus stays on the number, not <body>', async () => {
    const element = await mount('default-country="HR"')
    api.replyOnce(
      'POST /pin',
      refusal(
        429,
        'RATE_LIMITED',
        { limit: 'sendPinPerPhoneNumber', retryAfter: 3725 },
        { 'Retry-After': '3725' },
      ),
    )
    await typeInto(element, '#phone', '0911234567')
    useFakeClock()
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'), 'the wait was never shown')
    expect(text(element, '#phone-error')).to.equal(
      'Too many codes were sent to this number. You can ask for a new code in 1 hr 2 min.',
    )
    expect(text(element, '[role=status]')).to.equal(
      'Too many codes were sent to this number. You can ask for a new code in 1 hour 2 minutes.',
    )
    expect(element.shadowRoot!.activeElement).to.equal(phone(element))
    await onRealTimers(() => expect(element).to.be.accessible())
    // An hour of ticks is slow to run one by one: the clock jumps, and the next tick finds the end.
    vi.setSystemTime(Date.now() + 3_724_000)
    await vi.advanceTimersByTimeAsync(999)
    await element.updateComplete
    expect(get<HTMLButtonElement>(element, 'button[type=submit]').disabled).to.equal(true)
    await vi.advanceTimersByTimeAsync(1)
    await element.updateComplete
    expect(text(element, '[role=status]')).to.equal('You can try again now.')
    expect(element.shadowRoot!.activeElement).to.equal(phone(element))
    expect(get<HTMLButtonElement>(element, 'button[type=submit]').disabled).to.equal(false)
  })

  it('a failed /config says so and offers a retry', async () => {
    api.replyOnce('GET /config', refusal(503, 'STORE_UNAVAILABLE'))
    const widget = await mount('default-country="HR"', { ready: false })
    await until(() => widget.verification.configFailed && find(widget, '#phone-error'))
    expect(text(widget, '#phone-error')).to.equal(
      'The service is unavailable right now. Please try again in a moment.',
    )
    await click(widget, 'button[part=button]')
    await until(() => widget.verification.config && !widget.verification.configFailed)
  })
})
