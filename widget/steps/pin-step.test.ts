import { expect, fixtureCleanup, oneEvent } from '@open-wc/testing'
import { afterEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { TwoFactorCodeSentEvent, TwoFactorErrorEvent, TwoFactorVerifiedEvent } from '../events.js'
import { cleanPin } from '../pin-text.js'
import { installFakeApi, refusal, RIGHT_PIN, type FakeApiOptions } from '../testing/fake-api.js'
import {
  click,
  find,
  get,
  mount,
  onRealTimers,
  reachPinStep,
  text,
  typeInto,
  until,
  useFakeClock,
} from '../testing/mount.js'

afterEach(() => {
  fixtureCleanup()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

async function pinStep(options: FakeApiOptions = {}) {
  const api = installFakeApi(options)
  const element = await mount('default-country="HR"')
  await reachPinStep(element)
  return { api, element, pin: get<HTMLInputElement>(element, '#pin') }
}

describe('PIN step: the input', () => {
  it('is one real, labelled input for one-time codes with slots drawn over it', async () => {
    const { element, pin } = await pinStep()
    expect(element.shadowRoot!.querySelectorAll('input')).to.have.length(1)
    expect(pin.autocomplete).to.equal('one-time-code')
    expect(pin.inputMode).to.equal('numeric')
    expect(pin.spellcheck).to.equal(false)
    expect(pin.labels?.[0]?.textContent).to.equal('Verification code')
    expect(parseFloat(getComputedStyle(pin).fontSize)).to.be.at.least(16)
    expect(getComputedStyle(pin).opacity).to.equal('1')
    expect(element.shadowRoot!.querySelectorAll('[part~=pin-slot]')).to.have.length(6)
    expect(get(element, '.slots').getAttribute('aria-hidden')).to.equal('true')
    expect(text(element, '.sent')).to.equal('We sent a code to +385 91 123 4567. Change number')
    await expect(element).to.be.accessible()

    await userEvent.keyboard('12')
    await element.updateComplete
    const slots = [...element.shadowRoot!.querySelectorAll('[part~=pin-slot]')]
    expect(slots.map((slot) => slot.textContent)).to.deep.equal(['1', '2', '', '', '', ''])
    expect(slots[2]!.getAttribute('part')).to.contain('pin-slot-active')
  })

  it('shows the number as the person typed it, in international format (not masked), to spot a typo; also once verified', async () => {
    installFakeApi()
    const element = await mount('default-country="GB"')
    await reachPinStep(element, '07400 123456')
    expect(text(element, '.sent')).to.equal('We sent a code to +44 7400 123456. Change number')
    expect(text(element, '[role=status]')).to.equal('We sent a code to +44 7400 123456.')
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => find(element, '.verified'))
    expect(text(element, '.verified .to')).to.equal('+44 7400 123456')
    await expect(element).to.be.accessible()
  })

  it('uses a text keyboard for letter codes and upper-cases what is typed', async () => {
    const { element, pin } = await pinStep({ pinType: 'ALPHANUMERIC', pinLength: 4 })
    expect(pin.inputMode).to.equal('text')
    await userEvent.keyboard('a1-b')
    await element.updateComplete
    expect(element.pin.text).to.equal('A1B')
  })

  it('cleans pasted codes: spaces, dashes, other digit scripts', () => {
    expect(cleanPin('123 456', 'NUMERIC')).to.equal('123456')
    expect(cleanPin('١٢٣٤٥٦', 'NUMERIC')).to.equal('123456')
    expect(cleanPin('１２３', 'NUMERIC')).to.equal('123')
    expect(cleanPin('ab-9f', 'HEX')).to.equal('AB9F')
    expect(cleanPin('ab9z', 'ALPHA')).to.equal('ABZ')
  })

  it('takes a pasted whole code and submits it by itself', async () => {
    const { api, element, pin } = await pinStep()
    const verified = oneEvent(element, TwoFactorVerifiedEvent.type)
    // What the browser does on paste: insert the text, then fire `input` (insertFromPaste).
    pin.value = '123 456'
    pin.dispatchEvent(
      new InputEvent('input', {
        inputType: 'insertFromPaste',
        data: '123 456',
        bubbles: true,
        composed: true,
      }),
    )
    await verified
    expect(api.requestsTo('POST /pin/:id/verify').map((request) => request.body?.pin)).to.deep.equal([
      '123456',
    ])
  })
})

describe('PIN step: refusals and dead ends', () => {
  it('WRONG_PIN: says how many attempts are left, clears the code, keeps focus', async () => {
    const { element, pin } = await pinStep()
    const reported = oneEvent(element, TwoFactorErrorEvent.type)
    await userEvent.keyboard('000000')
    expect((await reported).detail.code).to.equal('WRONG_PIN')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal('Wrong code. 2 attempts left.')
    expect(text(element, '[role=status]')).to.equal('Wrong code. 2 attempts left.')
    expect(pin.getAttribute('aria-invalid')).to.equal('true')
    expect(pin.getAttribute('aria-describedby')).to.equal('pin-hint pin-error')
    expect(element.shadowRoot!.activeElement).to.equal(pin)
    expect(pin.value).to.equal('')
    await expect(element).to.be.accessible()
  })

  // The server answers every code that can't be used (unknown, expired, used, locked) with the same
  // PIN_NOT_FOUND; the widget names the dead end from what it knows itself.
  const deadEnds: [string, ReturnType<typeof refusal>, string][] = [
    ['WRONG_PIN (last one)', refusal(422, 'WRONG_PIN', { attemptsRemaining: 0 }), 'Too many wrong codes.'],
    [
      'PIN_NOT_FOUND before the code expired',
      refusal(404, 'PIN_NOT_FOUND'),
      'This code can’t be used any more.',
    ],
  ]
  for (const [name, reply, message] of deadEnds) {
    it(`${name}: says so and leads on with a new code or another number`, async () => {
      const { api, element } = await pinStep({ resendCooldown: 0 })
      api.replyOnce('POST /pin/:id/verify', reply)
      await userEvent.keyboard('111111')
      await until(() => find(element, '.problem'))
      expect(text(element, '.problem .error')).to.equal(message)
      expect(find(element, '#pin')).to.equal(null)
      expect(element.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Send a new code')
      await expect(element).to.be.accessible()

      const sent = oneEvent(element, TwoFactorCodeSentEvent.type)
      await click(element, '.problem button')
      await sent
      await until(() => find(element, '#pin'))
      expect(api.requestsTo('POST /pin')).to.have.length(2)
    })
  }

  it('PIN_NOT_FOUND once the code’s time (on the server’s clock) is up: says it expired', async () => {
    const api = installFakeApi({ resendCooldown: 0 })
    const element = await mount('default-country="HR"')
    useFakeClock()
    await reachPinStep(element)
    api.replyOnce('POST /pin/:id/verify', refusal(404, 'PIN_NOT_FOUND'))
    // The code's time runs out while the check is on its way: the clock moves, its timer has yet to fire.
    vi.setSystemTime(Date.now() + 600_000)
    await userEvent.keyboard('111111')
    await until(() => find(element, '.problem'), 'no dead end')
    expect(text(element, '.problem .error')).to.equal('This code has expired.')
    expect(text(element, '[role=status]')).to.equal('This code has expired.')
  })

  it('expires by itself when the server’s time runs out, not a millisecond before', async () => {
    const api = installFakeApi()
    api.config.pinTimeToLive = 1
    const element = await mount('default-country="HR"')
    useFakeClock()
    await reachPinStep(element)
    await vi.advanceTimersByTimeAsync(999)
    await element.updateComplete
    expect(find(element, '.problem')).to.equal(null)
    await vi.advanceTimersByTimeAsync(1)
    await until(() => find(element, '.problem'), 'never expired')
    expect(text(element, '.problem .error')).to.equal('This code has expired.')
  })

  it('RATE_LIMITED: waits as told, then checks the typed code by itself', async () => {
    const { api, element } = await pinStep()
    api.replyOnce(
      'POST /pin/:id/verify',
      refusal(429, 'RATE_LIMITED', { limit: 'verifyPin', retryAfter: 1 }, { 'Retry-After': '1' }),
    )
    const verified = oneEvent(element, TwoFactorVerifiedEvent.type)
    useFakeClock()
    await userEvent.keyboard(RIGHT_PIN)
    await until(() => find(element, '#pin-error'), 'the wait was never shown')
    expect(text(element, '#pin-error')).to.match(/^Too many attempts\. Try again in 1\s?sec/)
    await onRealTimers(() => expect(element).to.be.accessible())
    await vi.advanceTimersByTimeAsync(999)
    expect(api.requestsTo('POST /pin/:id/verify')).to.have.length(1) // not checked again before the wait is over
    await vi.advanceTimersByTimeAsync(1)
    await verified
    expect(api.requestsTo('POST /pin/:id/verify')).to.have.length(2)
  })

  it('learns that the SMS was not delivered from the status and says so', async () => {
    const { api, element } = await pinStep({ resendCooldown: 0 })
    element.pin.stop() // the checks of the first send ran on real time; resend restarts them on fake time
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    api.replyOnce('GET /pin/:id', { status: 200, body: { status: 'FAILED' } })
    await click(element, 'button.link:not(.sent button)') // resend: starts the delivery checks again, on fake time
    await vi.advanceTimersByTimeAsync(5_000)
    vi.useRealTimers()
    await until(() => find(element, '.problem'))
    expect(text(element, '.problem .error')).to.equal(
      'The text message couldn’t be delivered to +385 91 123 4567.',
    )
  })

  it('stops asking about delivery once the server says the code is gone', async () => {
    const { api, element } = await pinStep({ resendCooldown: 0 })
    element.pin.stop() // the checks of the first send ran on real time; resend restarts them on fake time
    const realSetTimeout = globalThis.setTimeout
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    api.replyOnce('GET /pin/:id', refusal(404, 'PIN_NOT_FOUND'))
    await click(element, 'button.link:not(.sent button)')
    for (let second = 0; second < 80; second += 5) {
      await vi.advanceTimersByTimeAsync(5_000)
      await new Promise((resolve) => realSetTimeout(resolve, 10)) // lets the answer's body be read
    }
    vi.useRealTimers()
    expect(api.requestsTo('GET /pin/:id')).to.have.length(1)
  })
})

describe('PIN step: waits, in words, with the way forward', () => {
  it('locked out during the resend cooldown: focus goes to “Change number”, not <body>; the end of the wait is announced and focus moves to “Send a new code”', async () => {
    const api = installFakeApi({ resendCooldown: 30 })
    const element = await mount('default-country="HR"')
    useFakeClock()
    await reachPinStep(element)
    api.replyOnce('POST /pin/:id/verify', refusal(422, 'WRONG_PIN', { attemptsRemaining: 0 }))
    await userEvent.keyboard('111111')
    await until(() => find(element, '.problem'), 'no dead end')
    await element.updateComplete
    expect(text(element, '.problem .error')).to.equal('Too many wrong codes.')
    expect(text(element, '.problem .hint')).to.match(/^You can ask for a new code in 30\ssec\.$/)
    expect(text(element, '[role=status]')).to.equal(
      'Too many wrong codes. You can ask for a new code in 30 seconds.',
    )
    expect(document.activeElement).to.equal(element)
    expect(element.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Change number')
    await onRealTimers(() => expect(element).to.be.accessible())

    await vi.advanceTimersByTimeAsync(30_000)
    await element.updateComplete
    await until(
      () => element.shadowRoot!.activeElement?.textContent?.trim() === 'Send a new code',
      'focus never moved',
    )
    expect(text(element, '[role=status]')).to.equal('You can request a new code now.')
    await onRealTimers(() => expect(element).to.be.accessible())
  })

  const dailyLimit = refusal(
    429,
    'RATE_LIMITED',
    { limit: 'sendPinPerPhoneNumber', retryAfter: 86_397 },
    { 'Retry-After': '86397' },
  )
  const daily: [string, string, string][] = [
    [
      'en',
      'Too many codes were sent to this number. You can ask for a new code in 23 hr 59 min.',
      'Too many codes were sent to this number. You can ask for a new code in 23 hours 59 minutes.',
    ],
    [
      'de',
      'An diese Nummer wurden zu viele Codes gesendet. Sie können in 23 Std. 59 Min. einen neuen Code anfordern.',
      'An diese Nummer wurden zu viele Codes gesendet. Sie können in 23 Stunden 59 Minuten einen neuen Code anfordern.',
    ],
    [
      'es',
      'Se han enviado demasiados códigos a este número. Podrás pedir un código nuevo dentro de 23 h 59 min.',
      'Se han enviado demasiados códigos a este número. Podrás pedir un código nuevo dentro de 23 horas 59 minutos.',
    ],
    [
      'fr',
      'Trop de codes ont été envoyés à ce numéro. Vous pourrez demander un nouveau code dans 23 h 59 min.',
      'Trop de codes ont été envoyés à ce numéro. Vous pourrez demander un nouveau code dans 23 heures 59 minutes.',
    ],
    [
      'hr',
      'Na ovaj je broj poslano previše kôdova. Novi kôd možete zatražiti za 23 h 59 min.',
      'Na ovaj je broj poslano previše kôdova. Novi kôd možete zatražiti za 23 sata 59 minuta.',
    ],
  ]
  for (const [language, shown, announced] of daily) {
    it(`a resend refused by the daily limit of the number says why and when, in hours and minutes (${language})`, async () => {
      const api = installFakeApi({ resendCooldown: 0 })
      const element = await mount(`lang="${language}" default-country="HR"`)
      await until(() => find(element, '#phone'), 'the language never loaded')
      await reachPinStep(element)
      api.replyOnce('POST /pin/:id/resend', dailyLimit)
      await click(element, 'button.link:not(.sent button)')
      await until(() => find(element, '.step > p.hint:last-child'), 'the wait was never shown')
      expect(text(element, '.step > p.hint:last-child')).to.equal(shown)
      expect(text(element, '[role=status]')).to.equal(announced)
      // The code already sent can still be entered: the keyboard goes back to it.
      expect(element.shadowRoot!.activeElement?.id).to.equal('pin')
      await expect(element).to.be.accessible()
    })
  }

  it('RATE_LIMITED on a code: the wait is announced with its unit, and so is its end', async () => {
    const { api, element } = await pinStep()
    api.replyOnce(
      'POST /pin/:id/verify',
      refusal(429, 'RATE_LIMITED', { limit: 'verifyPin', retryAfter: 2 }, { 'Retry-After': '2' }),
    )
    useFakeClock()
    await userEvent.keyboard('111111')
    await until(() => find(element, '#pin-error'), 'the wait was never shown')
    expect(text(element, '[role=status]')).to.equal('Too many attempts. Try again in 2 seconds.')
    await vi.advanceTimersByTimeAsync(2_000)
    await element.updateComplete
    expect(text(element, '[role=status]')).to.equal('You can try again now.')
  })
})

describe('PIN step: resend and change number', () => {
  it('"Change number" and back to the same number: the resend countdown goes on where it was (10 s, 4 s away, back: 6 s)', async () => {
    installFakeApi({ resendCooldown: 10 })
    const element = await mount('default-country="HR"')
    useFakeClock()
    await reachPinStep(element)
    await vi.advanceTimersByTimeAsync(1000)
    await click(element, '.sent button')
    await vi.advanceTimersByTimeAsync(3000)
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(text(element, '.step > .hint:last-child')).to.match(/^You can ask for a new code in 6\ssec\.$/)
    await vi.advanceTimersByTimeAsync(5999)
    await element.updateComplete
    expect(find(element, 'button.link:not(.sent button)')).to.equal(null)
    await vi.advanceTimersByTimeAsync(1)
    await element.updateComplete
    expect(find(element, 'button.link:not(.sent button)')).to.not.equal(null)
  })

  it('counts down from the server’s resendAvailableAt, then offers a new code', async () => {
    const api = installFakeApi({ resendCooldown: 1 })
    const element = await mount('default-country="HR"')
    useFakeClock()
    await reachPinStep(element)
    expect(text(element, '.step > .hint:last-child')).to.match(/^You can ask for a new code in 1\ssec\.$/)
    await vi.advanceTimersByTimeAsync(999)
    await element.updateComplete
    expect(find(element, 'button.link:not(.sent button)')).to.equal(null)
    await vi.advanceTimersByTimeAsync(1)
    await element.updateComplete
    expect(find(element, 'button.link:not(.sent button)')).to.not.equal(null)
    expect(text(element, '[role=status]')).to.equal('You can request a new code now.')
    const sent = oneEvent(element, TwoFactorCodeSentEvent.type)
    await click(element, 'button.link:not(.sent button)')
    expect((await sent).detail.resent).to.equal(true)
    expect(api.requestsTo('POST /pin/:id/resend')).to.have.length(1)
  })

  it('a refused resend waits for the Retry-After it was given', async () => {
    const { api, element } = await pinStep({ resendCooldown: 0 })
    api.replyOnce(
      'POST /pin/:id/resend',
      refusal(429, 'RATE_LIMITED', { limit: 'resendCooldown', retryAfter: 42 }, { 'Retry-After': '42' }),
    )
    await click(element, 'button.link:not(.sent button)')
    await until(() =>
      find(element, '.step > p.hint:last-child')?.textContent?.includes('You can ask for a new code in'),
    )
    expect(element.pin.resendSeconds).to.equal(42)
  })

  it('a resend refused by SEND_BLOCKED says why and when, reports it, and keeps the code already sent usable', async () => {
    const { api, element } = await pinStep({ resendCooldown: 0 })
    api.replyOnce(
      'POST /pin/:id/resend',
      refusal(
        403,
        'SEND_BLOCKED',
        { reason: 'RANGE_VELOCITY', scope: 'range:385911234', retryAfter: 120 },
        { 'Retry-After': '120' },
      ),
    )
    const reported = oneEvent(element, TwoFactorErrorEvent.type)
    await click(element, 'button.link:not(.sent button)')
    expect((await reported).detail.code).to.equal('SEND_BLOCKED')
    const message = 'Too many codes were sent to numbers like this one. Please try again in 2 min.'
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal(message)
    expect(text(element, '[role=status]')).to.equal(message)
    expect(api.requestsTo('POST /pin/:id/resend')).to.have.length(1)
    expect(api.requestsTo('POST /pin')).to.have.length(1) // no new code sent behind the person's back
    // The code already sent can still be entered.
    expect(find(element, '.problem')).to.equal(null)
    expect(element.pin.usable).to.equal(true)
    await expect(element).to.be.accessible()
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => element.verification.step === 'verified')
  })

  it('a resend refused by SEND_BLOCKED without retryAfter says so in the page’s language and leaves the link', async () => {
    const api = installFakeApi({ resendCooldown: 0 })
    const element = await mount('lang="de" default-country="HR"')
    await reachPinStep(element)
    api.replyOnce(
      'POST /pin/:id/resend',
      refusal(403, 'SEND_BLOCKED', { reason: 'SPEND_CEILING', scope: 'country:HR' }),
    )
    await click(element, 'button.link:not(.sent button)')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal(
      'Heute können keine Codes mehr gesendet werden. Bitte versuchen Sie es morgen erneut.',
    )
    expect(find(element, 'button.link:not(.sent button)')).to.not.equal(null)
    expect(api.requestsTo('POST /pin/:id/resend')).to.have.length(1)
  })

  it('a resend of a code that is gone sends a new code instead', async () => {
    const { api, element } = await pinStep({ resendCooldown: 0 })
    api.replyOnce('POST /pin/:id/resend', refusal(404, 'PIN_NOT_FOUND'))
    const sent = oneEvent(element, TwoFactorCodeSentEvent.type)
    await click(element, 'button.link:not(.sent button)')
    expect((await sent).detail.resent).to.equal(false)
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')).to.have.length(2)
    expect(element.pin.problem).to.equal(undefined)
  })

  it('"Change number" goes back with the number kept, and the same number returns to its code', async () => {
    const { api, element } = await pinStep()
    await click(element, '.sent button')
    const phone = get<HTMLInputElement>(element, '#phone')
    expect(phone.value).to.equal('091 123 4567')
    expect(element.shadowRoot!.activeElement).to.equal(phone)
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')).to.have.length(1) // no second SMS for the same number
  })
})

describe('PIN step: WebOTP', () => {
  it('fills and submits the code the browser reads from the SMS', async () => {
    vi.stubGlobal('OTPCredential', class {})
    vi.spyOn(navigator.credentials, 'get').mockResolvedValue({
      code: RIGHT_PIN,
      type: 'otp',
    } as unknown as Credential)
    installFakeApi()
    const element = await mount('default-country="HR"')
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => element.verification.step === 'verified', 'WebOTP never verified')
    expect(vi.mocked(navigator.credentials.get).mock.calls).to.have.length(1)
  })

  it('is aborted as soon as the person types', async () => {
    vi.stubGlobal('OTPCredential', class {})
    let signal: AbortSignal | undefined
    vi.spyOn(navigator.credentials, 'get').mockImplementation((options) => {
      signal = options?.signal ?? undefined
      return new Promise(() => undefined)
    })
    const { element } = await pinStep()
    expect(signal?.aborted).to.equal(false)
    await typeInto(element, '#pin', '1')
    expect(signal?.aborted).to.equal(true)
  })
})
