import { expect, fixtureCleanup, oneEvent } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { TwoFactorCodeSentEvent, TwoFactorErrorEvent } from './events.js'
import { installFakeApi, refusal, type FakeApi } from './testing/fake-api.js'
import { installFakeTurnstile, removeFakeTurnstile, type FakeTurnstile } from './testing/fake-turnstile.js'
import { click, find, get, mount, reachPinStep, text, typeInto, until } from './testing/mount.js'
import { turnstileScript } from './turnstile.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

const captcha = {
  provider: 'turnstile',
  siteKey: '1x00000000000000000000AA',
  action: 'two-factor-send',
} as const

const cloudflareScripts = () => document.querySelectorAll('script[src^="https://challenges.cloudflare.com"]')

let api: FakeApi
let fake: FakeTurnstile
beforeEach(() => {
  api = installFakeApi({ captcha })
  fake = installFakeTurnstile()
})
afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  removeFakeTurnstile()
})

/** A widget whose config asks for a captcha, with the challenge rendered. */
async function mountWithCaptcha(attributes = 'default-country="HR"'): Promise<TwoFactorAuth> {
  const element = await mount(attributes)
  await until(() => fake.turnstile.render.mock.calls.length > 0, 'Turnstile was never rendered')
  await element.updateComplete
  return element
}

/** The light-DOM child Turnstile renders into. */
const container = (element: TwoFactorAuth) => element.querySelector<HTMLElement>(':scope > [slot=captcha]')

/** Whether the `<slot name="captcha">` of the step on screen shows that child. */
const shown = (element: TwoFactorAuth) =>
  !!find<HTMLSlotElement>(element, 'slot[name=captcha]')?.assignedElements().includes(container(element)!)

const completeFirst = 'Please complete the security check first.'

describe('captcha: not asked for', () => {
  it('without a captcha in the config: no script, no Turnstile call, no slot, no token sent', async () => {
    api = installFakeApi()
    const element = await mount('default-country="HR"')
    await reachPinStep(element)
    expect(api.requestsTo('POST /pin')[0]?.body).to.deep.equal({
      phoneNumber: '+385911234567',
      language: 'en',
    })
    expect(fake.turnstile.render.mock.calls).to.have.length(0)
    expect(fake.turnstile.reset.mock.calls).to.have.length(0)
    expect(fake.turnstile.remove.mock.calls).to.have.length(0)
    expect(cloudflareScripts()).to.have.length(0)
    expect(element.verification.captcha).to.equal(undefined)
    expect(container(element)).to.equal(null)
    await click(element, '.sent button')
    expect(find(element, '[part=captcha]')).to.equal(null)
  })
})

describe('captcha: Turnstile on the phone step', () => {
  it('renders the challenge with the site key and action, in a light-DOM child shown above the send button', async () => {
    const element = await mountWithCaptcha()
    expect(fake.turnstile.render.mock.calls).to.have.length(1)
    const [target, options] = fake.turnstile.render.mock.calls[0]!
    expect(options).to.include({
      sitekey: '1x00000000000000000000AA',
      action: 'two-factor-send',
      theme: 'auto',
      language: 'en',
      'response-field': false, // the single-use token must not end up in the page's own form
    })
    expect(target).to.equal(container(element))
    expect(target.parentElement).to.equal(element)
    expect(shown(element)).to.equal(true)
    const wrapper = get(element, '[part=captcha]')
    const send = get(element, 'button[type=submit]')
    expect(wrapper.compareDocumentPosition(send) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0)
    expect(cloudflareScripts()).to.have.length(0) // the page's own window.turnstile was used
    await expect(element).to.be.accessible()
  })

  it('sends nothing before the check is passed, and says so under the field', async () => {
    const element = await mountWithCaptcha()
    const reported: string[] = []
    element.addEventListener(TwoFactorErrorEvent.type, (event) => reported.push(event.detail.code))
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal(completeFirst)
    expect(get(element, '#phone').getAttribute('aria-describedby')).to.equal('phone-hint phone-error')
    expect(text(element, '[role=status]')).to.equal(completeFirst)
    expect(api.requestsTo('POST /pin')).to.have.length(0)
    expect(reported).to.deep.equal([]) // nothing was refused: nothing was sent
    expect(fake.turnstile.reset.mock.calls).to.have.length(0) // the person may be solving it
    await expect(element).to.be.accessible()
  })

  it('sends the token as captchaToken, then resets the challenge: each token is used once', async () => {
    const element = await mountWithCaptcha()
    fake.pass('token-1')
    await reachPinStep(element)
    expect(api.requestsTo('POST /pin')[0]?.body).to.deep.equal({
      phoneNumber: '+385911234567',
      language: 'en',
      captchaToken: 'token-1',
    })
    expect(fake.turnstile.reset.mock.calls).to.deep.equal([['turnstile-1']])
    expect(element.verification.captcha?.token).to.equal(undefined)

    element.reset()
    await element.updateComplete
    expect(shown(element)).to.equal(true)
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal(completeFirst)
    expect(api.requestsTo('POST /pin')).to.have.length(1)

    fake.pass('token-2')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')[1]?.body?.captchaToken).to.equal('token-2')
    expect(fake.turnstile.reset.mock.calls).to.deep.equal([['turnstile-1'], ['turnstile-1']])
  })

  it('forgets a token that expired or whose challenge failed', async () => {
    const element = await mountWithCaptcha()
    await typeInto(element, '#phone', '0911234567')
    for (const lose of [fake.expire, () => fake.fail()]) {
      fake.pass('token')
      lose()
      await click(element, 'button[type=submit]')
      await until(() => find(element, '#phone-error'))
      expect(text(element, '#phone-error')).to.equal(completeFirst)
    }
    expect(api.requestsTo('POST /pin')).to.have.length(0)
  })

  const refusals: [string, ReturnType<typeof refusal>, string][] = [
    ['CAPTCHA_REQUIRED', refusal(400, 'CAPTCHA_REQUIRED'), 'The security check failed. Please try again.'],
    [
      'CAPTCHA_FAILED',
      refusal(403, 'CAPTCHA_FAILED', { reasons: ['timeout-or-duplicate'] }),
      'The security check failed. Please try again.',
    ],
    [
      'CAPTCHA_UNAVAILABLE',
      refusal(503, 'CAPTCHA_UNAVAILABLE', {}, { 'Retry-After': '5' }),
      'The service is unavailable right now. Please try again in a moment.',
    ],
  ]
  for (const [code, reply, message] of refusals) {
    it(`${code}: says so, resets the challenge, stays on the number, reports the code`, async () => {
      const element = await mountWithCaptcha()
      api.replyOnce('POST /pin', reply)
      fake.pass('token-1')
      await typeInto(element, '#phone', '0911234567')
      const reported = oneEvent(element, TwoFactorErrorEvent.type)
      await click(element, 'button[type=submit]')
      expect((await reported).detail.code).to.equal(code)
      await until(() => find(element, '#phone-error'))
      expect(text(element, '#phone-error')).to.equal(message)
      expect(text(element, '[role=status]')).to.equal(message)
      expect(fake.turnstile.reset.mock.calls).to.deep.equal([['turnstile-1']])
      expect(element.verification.step).to.equal('phone')
      expect(find(element, '#pin')).to.equal(null)
      expect(shown(element)).to.equal(true)

      fake.pass('token-2') // the person passes the new check
      await click(element, 'button[type=submit]')
      await until(() => find(element, '#pin'))
      expect(api.requestsTo('POST /pin').map((request) => request.body?.captchaToken)).to.deep.equal([
        'token-1',
        'token-2',
      ])
    })
  }

  it('a dead-end code shows the check next to "Send a new code", which needs it passed again', async () => {
    api = installFakeApi({ captcha, resendCooldown: 0 })
    const element = await mountWithCaptcha()
    fake.pass('token-1')
    await reachPinStep(element)
    expect(shown(element)).to.equal(false) // the PIN step needs no check
    api.replyOnce('POST /pin/:id/verify', refusal(404, 'PIN_NOT_FOUND'))
    await userEvent.keyboard('111111')
    await until(() => find(element, '.problem'))
    expect(text(element, '.problem .error')).to.equal('This code can’t be used any more.')
    expect(shown(element)).to.equal(true)
    await expect(element).to.be.accessible()

    await click(element, '.problem button')
    await until(() => text(element, '.problem').includes(completeFirst))
    expect(api.requestsTo('POST /pin')).to.have.length(1)

    fake.pass('token-2')
    const sent = oneEvent(element, TwoFactorCodeSentEvent.type)
    await click(element, '.problem button')
    await sent
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')[1]?.body?.captchaToken).to.equal('token-2')
  })

  it('a resend of a code the server no longer takes shows that dead end, with the check for a new code', async () => {
    api = installFakeApi({ captcha, resendCooldown: 0 })
    const element = await mountWithCaptcha()
    fake.pass('token-1')
    await reachPinStep(element)
    api.replyOnce('POST /pin/:id/resend', refusal(404, 'PIN_NOT_FOUND'))
    await click(element, 'button.link:not(.sent button)')
    // The code is gone and a new one needs the check passed again: the step says both.
    await until(() => find(element, '.problem')?.textContent?.includes(completeFirst))
    expect(text(element, '.problem .error')).to.equal('This code can’t be used any more.')
    expect(shown(element)).to.equal(true)
    expect(api.requestsTo('POST /pin')).to.have.length(1)
    await expect(element).to.be.accessible()
  })

  it('leaves with the element: the challenge and its container are removed, and rendered anew on return', async () => {
    const element = await mountWithCaptcha()
    const first = container(element)!
    const parent = element.parentElement!
    element.remove()
    expect(fake.turnstile.remove.mock.calls).to.deep.equal([['turnstile-1']])
    expect(first.isConnected).to.equal(false)
    expect(container(element)).to.equal(null)

    parent.append(element)
    await until(() => fake.turnstile.render.mock.calls.length === 2)
    await element.updateComplete
    expect(container(element)).to.not.equal(first)
    expect(element.querySelectorAll('[slot=captcha]')).to.have.length(1)
    expect(shown(element)).to.equal(true)
  })

  it('speaks the page’s language, the challenge included', async () => {
    const element = await mountWithCaptcha('lang="hr" default-country="HR"')
    expect(fake.latest().language).to.equal('hr')
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal('Najprije dovršite sigurnosnu provjeru.')
  })

  it('takes its strings from `strings` like every other message', async () => {
    const element = await mountWithCaptcha()
    element.strings = { captchaRequired: 'Tick the box first.' }
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal('Tick the box first.')
  })
})

describe('captcha: escalated only when the server asks', () => {
  const escalated = { ...captcha, mode: 'escalated' } as const
  const escalation =
    'Unusual traffic to numbers like yours: complete the security check, then send the code again.'
  const lowConversion = () =>
    refusal(400, 'CAPTCHA_REQUIRED', { reason: 'LOW_CONVERSION', scope: 'range:385911234' })

  /** Keeps Cloudflare's script out of the page and counts it (no network in tests). */
  function recordScripts(): HTMLScriptElement[] {
    const scripts: HTMLScriptElement[] = []
    const append = Element.prototype.append
    vi.spyOn(document.head, 'append').mockImplementation((...nodes) => {
      for (const node of nodes) {
        if (node instanceof HTMLScriptElement) scripts.push(node)
        else append.call(document.head, node)
      }
    })
    return scripts
  }

  it('renders no challenge, loads no Turnstile script and sends without a token until a send is refused', async () => {
    removeFakeTurnstile() // so that a load would add Cloudflare's script
    const scripts = recordScripts()
    api = installFakeApi({ captcha: escalated })
    const element = await mount('default-country="HR"')
    expect(find(element, '[part=captcha]')).to.equal(null)
    await expect(element).to.be.accessible()
    await reachPinStep(element)
    expect(api.requestsTo('POST /pin')[0]?.body).to.deep.equal({
      phoneNumber: '+385911234567',
      language: 'en',
    })
    expect(scripts).to.have.length(0)
    expect(element.verification.captcha).to.equal(undefined)
    expect(container(element)).to.equal(null)
  })

  it('after CAPTCHA_REQUIRED {reason: LOW_CONVERSION}: renders the challenge, says why, and the next send carries the token', async () => {
    api = installFakeApi({ captcha: escalated })
    const element = await mount('default-country="HR"')
    api.replyOnce('POST /pin', lowConversion())
    await typeInto(element, '#phone', '0911234567')
    const reported = oneEvent(element, TwoFactorErrorEvent.type)
    await click(element, 'button[type=submit]')
    expect((await reported).detail.code).to.equal('CAPTCHA_REQUIRED')
    await until(() => fake.turnstile.render.mock.calls.length === 1, 'the challenge was never rendered')
    await until(() => find(element, '#phone-error'), 'the reason was never shown')
    expect(fake.latest()).to.include({ sitekey: captcha.siteKey, action: captcha.action, language: 'en' })
    expect(shown(element)).to.equal(true)
    expect(text(element, '#phone-error')).to.equal(escalation)
    expect(text(element, '[role=status]')).to.equal(escalation)
    expect(element.verification.step).to.equal('phone')
    await expect(element).to.be.accessible()

    // Not solved yet: nothing is sent.
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error')?.textContent?.trim() === completeFirst)
    expect(api.requestsTo('POST /pin')).to.have.length(1)

    fake.pass('token-1')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin').map((request) => request.body?.captchaToken)).to.deep.equal([
      undefined,
      'token-1',
    ])
    expect(fake.turnstile.reset.mock.calls).to.deep.equal([['turnstile-1']]) // the token was used once
  })

  it('says why in the page’s language too', async () => {
    api = installFakeApi({ captcha: escalated })
    const element = await mount('lang="fr" default-country="HR"')
    await until(() => text(element, 'button[type=submit]') === 'Envoyer le code', 'French never loaded')
    api.replyOnce('POST /pin', lowConversion())
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal(
      'Trafic inhabituel vers des numéros comme le vôtre : effectuez la vérification de sécurité, puis renvoyez le code.',
    )
    await until(() => fake.turnstile.render.mock.calls.length === 1)
    expect(fake.latest().language).to.equal('fr')
  })

  it('a dead-end code shows no check before an escalation', async () => {
    api = installFakeApi({ captcha: escalated, resendCooldown: 0 })
    const element = await mount('default-country="HR"')
    await reachPinStep(element)
    api.replyOnce('POST /pin/:id/verify', refusal(404, 'PIN_NOT_FOUND'))
    await userEvent.keyboard('111111')
    await until(() => find(element, '.problem'))
    expect(find(element, '[part=captcha]')).to.equal(null)
    await click(element, '.problem button')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')[1]?.body?.captchaToken).to.equal(undefined)
    expect(fake.turnstile.render.mock.calls).to.have.length(0)
  })

  it("'always' mode (also when the config names it) renders up front and needs the token before any send", async () => {
    api = installFakeApi({ captcha: { ...captcha, mode: 'always' } })
    const element = await mountWithCaptcha()
    expect(shown(element)).to.equal(true)
    await typeInto(element, '#phone', '0911234567')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#phone-error'))
    expect(text(element, '#phone-error')).to.equal(completeFirst)
    expect(api.requestsTo('POST /pin')).to.have.length(0)
    fake.pass('token-1')
    await click(element, 'button[type=submit]')
    await until(() => find(element, '#pin'))
    expect(api.requestsTo('POST /pin')[0]?.body?.captchaToken).to.equal('token-1')
  })
})

describe('captcha: Cloudflare’s script', () => {
  it('is added once for every widget, async and deferred; a failed load says so and is retried on send', async () => {
    removeFakeTurnstile() // the page did not load Turnstile itself
    // Keep the scripts out of the page (no network in tests): the test plays Cloudflare.
    const scripts: HTMLScriptElement[] = []
    const append = Element.prototype.append
    vi.spyOn(document.head, 'append').mockImplementation((...nodes) => {
      for (const node of nodes) {
        if (node instanceof HTMLScriptElement) scripts.push(node)
        else append.call(document.head, node)
      }
    })
    const first = await mount('default-country="HR"')
    const second = await mount('default-country="HR"')
    await until(
      () => first.verification.captcha && second.verification.captcha,
      'the captcha code never loaded',
    )
    expect(scripts).to.have.length(1)
    expect(scripts[0]!.src).to.equal(turnstileScript)
    expect(scripts[0]!.async).to.equal(true)
    expect(scripts[0]!.defer).to.equal(true)

    scripts[0]!.dispatchEvent(new Event('error'))
    await until(() => first.verification.captcha!.failed && second.verification.captcha!.failed)
    expect(container(first)).to.equal(null)
    await typeInto(first, '#phone', '0911234567')
    await click(first, 'button[type=submit]')
    await until(() => find(first, '#phone-error'))
    expect(text(first, '#phone-error')).to.equal(
      'The service is unavailable right now. Please try again in a moment.',
    )
    expect(api.requestsTo('POST /pin')).to.have.length(0)
    expect(scripts).to.have.length(2) // tried again

    fake = installFakeTurnstile()
    scripts[1]!.dispatchEvent(new Event('load'))
    await until(() => fake.turnstile.render.mock.calls.length === 1)
    await first.updateComplete
    expect(shown(first)).to.equal(true)
    fake.pass('token-1')
    await click(first, 'button[type=submit]')
    await until(() => find(first, '#pin'))
    expect(api.requestsTo('POST /pin')[0]?.body?.captchaToken).to.equal('token-1')
  })
})
