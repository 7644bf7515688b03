import { expect, fixtureCleanup, oneEvent } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { TwoFactorCodeSentEvent, TwoFactorVerifiedEvent } from './events.js'
import { installFakeApi, RIGHT_PIN, type FakeApi } from './testing/fake-api.js'
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
} from './testing/mount.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

let api: FakeApi
beforeEach(() => {
  api = installFakeApi()
})
afterEach(() => {
  fixtureCleanup()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('<two-factor-auth>', () => {
  it('renders an accessible phone step', async () => {
    const element = await mount('default-country="HR"')
    await expect(element).to.be.accessible()
    const phone = get<HTMLInputElement>(element, '#phone')
    expect(phone.type).to.equal('tel')
    expect(phone.autocomplete).to.equal('tel')
    expect(phone.inputMode).to.equal('tel')
    expect(phone.placeholder).to.equal('092 123 4567')
    // The button's name is its content: "Country: Croatia" (visually hidden), the flag (hidden from AT), "+385".
    expect(text(element, '#country .visually-hidden')).to.equal('Country: Croatia')
    expect(text(element, '#country .dial')).to.equal('+385')
  })

  it('goes from number to verified, with events that cross the shadow root', async () => {
    const element = await mount('default-country="HR"')
    const sent = oneEvent(document.body, TwoFactorCodeSentEvent.type)
    await reachPinStep(element)
    expect(api.requestsTo('POST /pin')[0]?.body).to.deep.equal({
      phoneNumber: '+385911234567',
      language: 'en',
    })
    expect((await sent).detail.to).to.equal('+385 •• ••• ••67')
    expect(element.shadowRoot!.activeElement?.id).to.equal('pin')
    await expect(element).to.be.accessible()

    const verified = oneEvent(document.body, TwoFactorVerifiedEvent.type)
    await typeInto(element, '#pin', RIGHT_PIN)
    const event = await verified
    expect(event.detail.phoneNumber).to.equal('+385911234567')
    expect(element.value).to.equal(event.detail.token)
    await until(() => find(element, '.verified'))
    expect(text(element, '.verified')).to.contain('Phone number verified')
    await expect(element).to.be.accessible()
  })

  it('is invalid inside a form until verified, then submits the token under its name; reset starts over', async () => {
    const element = await mount('name="phone_token" default-country="HR"', {
      wrap: (widget) => `<form>${widget}<button>Sign up</button></form>`,
    })
    const form = element.closest('form')!
    expect(element.form).to.equal(form)
    expect(form.checkValidity()).to.equal(false)
    expect(element.validity.valueMissing).to.equal(true)
    expect(element.validationMessage).to.equal('Please verify your phone number.')
    expect(new FormData(form).get('phone_token')).to.equal(null)

    await reachPinStep(element)
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => element.verification.step === 'verified')
    await element.updateComplete
    expect(form.checkValidity()).to.equal(true)
    expect(new FormData(form).get('phone_token')).to.equal(element.value)
    expect(element.value.split('.')).to.have.length(3)

    form.reset()
    await element.updateComplete
    expect(element.verification.step).to.equal('phone')
    expect(element.value).to.equal('')
    expect(get<HTMLInputElement>(element, '#phone').value).to.equal('')
    expect(new FormData(form).get('phone_token')).to.equal(null)
    expect(form.checkValidity()).to.equal(false)
  })

  it('form.reset() on the phone step empties what the input shows and its error, also mid-composition; the next digits start a new number', async () => {
    const element = await mount('default-country="HR"', {
      wrap: (widget) => `<form>${widget}<input name="other"></form>`,
    })
    const form = element.closest('form')!
    const input = get<HTMLInputElement>(element, '#phone')
    // A composing keyboard (Samsung, IMEs) types a whole number; the step formats it when it ends.
    input.focus()
    input.value = '0911234'
    input.dispatchEvent(
      new InputEvent('input', { inputType: 'insertCompositionText', data: '0911234', isComposing: true }),
    )
    await click(element, 'button[type=submit]')
    form.reset()
    await element.updateComplete
    expect(element.phone.text).to.equal('')
    expect(input.value).to.equal('')
    expect(find(element, '#phone-error')).to.equal(null)
    input.dispatchEvent(new CompositionEvent('compositionend'))
    await typeInto(element, '#phone', '0911234567')
    expect(input.value).to.equal('091 123 4567')

    // Typed, then left too short: the message goes with the number.
    form.reset()
    await typeInto(element, '#phone', '09112')
    ;(form.querySelector('[name=other]') as HTMLElement).focus()
    await element.updateComplete
    expect(text(element, '#phone-error')).to.equal('This number is too short.')
    form.reset()
    await element.updateComplete
    expect(input.value).to.equal('')
    expect(find(element, '#phone-error')).to.equal(null)
    expect(input.getAttribute('aria-invalid')).to.equal('false')
    await typeInto(element, '#phone', '0911234567')
    expect(input.value).to.equal('091 123 4567')
    expect(element.phone.text).to.equal('091 123 4567')
    await expect(element).to.be.accessible()
  })

  it('is disabled with its fieldset and its form', async () => {
    const element = await mount('default-country="HR"', {
      wrap: (widget) => `<form><fieldset>${widget}</fieldset></form>`,
    })
    element.closest('fieldset')!.disabled = true
    await element.updateComplete
    expect(get<HTMLInputElement>(element, '#phone').matches(':disabled')).to.equal(true)
    element.closest('fieldset')!.disabled = false
    element.disabled = true
    await element.updateComplete
    expect(get<HTMLInputElement>(element, '#phone').matches(':disabled')).to.equal(true)
  })

  it('never writes the PIN or the token to web storage or cookies', async () => {
    const writes: string[] = []
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation((key) => void writes.push(`storage:${key}`))
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => '',
      set: (value) => void writes.push(`cookie:${value}`),
    })
    try {
      localStorage.clear()
      sessionStorage.clear()
      const element = await mount('default-country="HR"')
      await reachPinStep(element)
      await typeInto(element, '#pin', '000000')
      await until(() => find(element, '#pin-error'))
      await typeInto(element, '#pin', RIGHT_PIN)
      await until(() => element.verification.step === 'verified')
      expect(writes).to.deep.equal([])
      expect(localStorage.length + sessionStorage.length).to.equal(0)
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie
      Object.defineProperty(Document.prototype, 'cookie', cookie)
    }
  })
})

describe('<two-factor-auth> when the token expires', () => {
  const expiredMessage =
    'Your phone number’s verification has expired. Please verify it again; this usually takes a new code.'

  async function verifiedInForm() {
    const element = await mount('name="phone_token" default-country="HR"', {
      wrap: (widget) => `<form><input name="notes" value="typed by the person">${widget}</form>`,
    })
    useFakeClock()
    await reachPinStep(element)
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => element.verification.step === 'verified')
    await element.updateComplete
    return { element, form: element.closest('form')! }
  }

  it('stays verified until the token’s expiresAt (server clock), not a millisecond longer; then the form is invalid, says why and offers one button', async () => {
    const { element, form } = await verifiedInForm()
    const token = element.value
    await vi.advanceTimersByTimeAsync(299_999)
    await element.updateComplete
    expect(form.checkValidity()).to.equal(true)
    expect(element.value).to.equal(token)
    expect(text(element, '.verified')).to.contain('Phone number verified')

    await vi.advanceTimersByTimeAsync(1)
    await element.updateComplete
    expect(element.value).to.equal('')
    expect(new FormData(form).get('phone_token')).to.equal(null)
    expect(form.checkValidity()).to.equal(false)
    expect(element.validationMessage).to.equal(expiredMessage)
    expect(text(element, '.problem .error')).to.equal(expiredMessage)
    expect(text(element, '[role=status]')).to.equal(expiredMessage)
    expect(text(element, '.problem button')).to.equal('Verify again')
    // Focus was on the success message, inside the widget: it moves to the way forward.
    expect(element.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Verify again')
    expect(new FormData(form).get('notes')).to.equal('typed by the person')
    await onRealTimers(() => expect(element).to.be.accessible())
  })

  it('“Verify again” sends a new code to the same number (the verified PIN is single use), without retyping it', async () => {
    const { element, form } = await verifiedInForm()
    await vi.advanceTimersByTimeAsync(300_000)
    await element.updateComplete
    const sent = oneEvent(element, TwoFactorCodeSentEvent.type)
    await click(element, '.problem button')
    expect((await sent).detail.resent).to.equal(false)
    await until(() => find(element, '#pin'), 'the PIN step never came back')
    expect(api.requestsTo('POST /pin').map((request) => request.body?.phoneNumber)).to.deep.equal([
      '+385911234567',
      '+385911234567',
    ])
    expect(element.shadowRoot!.activeElement?.id).to.equal('pin')
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => element.verification.step === 'verified')
    await element.updateComplete
    expect(form.checkValidity()).to.equal(true)
  })

  it('“Verify again” reuses the PIN where the server still takes it (allowMultiplePinVerifications): no new SMS', async () => {
    api = installFakeApi({ allowMultiplePinVerifications: true })
    const { element, form } = await verifiedInForm()
    await vi.advanceTimersByTimeAsync(300_000)
    await element.updateComplete
    await click(element, '.problem button')
    await until(() => find(element, '#pin'), 'the PIN step never came back')
    expect(api.requestsTo('POST /pin')).to.have.length(1)
    expect(api.requestsTo('POST /pin/:id/resend')).to.have.length(0)
    expect(element.shadowRoot!.activeElement?.id).to.equal('pin')
    await typeInto(element, '#pin', RIGHT_PIN)
    await until(() => element.verification.step === 'verified')
    await element.updateComplete
    expect(form.checkValidity()).to.equal(true)
    expect(new Set(api.requestsTo('POST /pin/:id/verify').map((request) => request.path)).size).to.equal(1)
  })
})

describe('<two-factor-auth> languages', () => {
  it('speaks the language of its lang attribute, country names included', async () => {
    const element = await mount('lang="de" default-country="HR"')
    expect(text(element, 'label')).to.equal('Telefonnummer')
    expect(text(element, '#country .visually-hidden')).to.equal('Land: Kroatien')
    expect(text(element, 'button[type=submit]')).to.equal('Code senden')
    await reachPinStep(element)
    expect(api.requestsTo('POST /pin')[0]?.body?.language).to.equal('de')
    expect(text(element, '.sent')).to.equal(
      'Wir haben einen Code an +385 91 123 4567 gesendet. Nummer ändern',
    )
    await expect(element).to.be.accessible()
  })

  it('follows the page’s language and its plural rules', async () => {
    const element = await mount('default-country="HR"', {
      wrap: (widget) => `<div lang="hr-HR">${widget}</div>`,
    })
    expect(text(element, 'label')).to.equal('Broj telefona')
    await reachPinStep(element)
    await userEvent.keyboard('000000')
    await until(() => find(element, '#pin-error'))
    expect(text(element, '#pin-error')).to.equal('Pogrešan kôd. Preostala su 2 pokušaja.')
  })

  it('switches when lang changes, and every string can be overridden', async () => {
    const element: TwoFactorAuth = await mount('default-country="HR"')
    element.setAttribute('lang', 'fr')
    await until(() => text(element, 'label') === 'Numéro de téléphone')
    element.strings = { sendCode: 'Recevoir un code', phoneHint: 'Un SMS arrive.' }
    await element.updateComplete
    expect(text(element, 'button[type=submit]')).to.equal('Recevoir un code')
    expect(text(element, '#phone-hint')).to.equal('Un SMS arrive.')
    for (const language of ['es', 'en']) {
      element.setAttribute('lang', language)
      await until(() => element.t.pinLabel !== 'Code de vérification')
    }
    expect(element.t.sendCode).to.equal('Recevoir un code')
    expect(element.t.pinLabel).to.equal('Verification code')
  })
})
