/**
 * How the element looks, checked on computed styles and layout in real Chromium: forced colours
 * (Windows High Contrast), theming through the documented custom properties and parts, narrow
 * phones, the disabled state.
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, describe, it, vi } from 'vitest'
import { cdp, page, userEvent } from 'vitest/browser'
import { installFakeApi, refusal } from './testing/fake-api.js'
import { find, get, mount, reachPinStep, text, until } from './testing/mount.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

const transparent = 'rgba(0, 0, 0, 0)'

afterEach(async () => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  await cdp().send('Emulation.setEmulatedMedia', { features: [] })
  await page.viewport(414, 896)
})

function forcedColours(active: boolean) {
  return cdp().send('Emulation.setEmulatedMedia', {
    features: [{ name: 'forced-colors', value: active ? 'active' : 'none' }],
  })
}

function slots(element: TwoFactorAuth): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part~=pin-slot]')]
}

async function pinStepWith(code: string, options: Parameters<typeof installFakeApi>[0] = {}) {
  installFakeApi(options)
  const element = await mount('default-country="HR"')
  await reachPinStep(element)
  await userEvent.keyboard(code)
  await element.updateComplete
  return { element, pin: get<HTMLInputElement>(element, '#pin') }
}

describe('forced colours (Windows High Contrast)', () => {
  it('keeps the real PIN input’s text invisible and draws the slots’ digits in system colours', async () => {
    await forcedColours(true)
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true)
    const { element, pin } = await pinStepWith('12')
    const input = getComputedStyle(pin)
    // Forced colours replace `color: transparent` with FieldText unless the input opts out.
    expect(input.color).to.equal(transparent)
    expect(input.backgroundColor).to.equal(transparent)
    const [first, , third] = slots(element).map((slot) => getComputedStyle(slot))
    expect(first!.color).to.not.equal(transparent)
    expect(first!.color).to.not.equal(first!.backgroundColor)
    expect(third!.borderColor).to.not.equal(third!.backgroundColor)
    expect(slots(element).map((slot) => slot.textContent)).to.deep.equal(['1', '2', '', '', '', ''])
    await expect(element).to.be.accessible()
  })
})

describe('theming', () => {
  it('--two-factor-field-text sets the text colour of every field (dark themes on a light page)', async () => {
    const { element, pin } = await pinStepWith('1')
    element.style.setProperty('--two-factor-field', 'rgb(40, 40, 40)')
    element.style.setProperty('--two-factor-field-text', 'rgb(240, 240, 240)')
    expect(getComputedStyle(slots(element)[0]!).color).to.equal('rgb(240, 240, 240)')
    expect(getComputedStyle(slots(element)[0]!).backgroundColor).to.equal('rgb(40, 40, 40)')
    expect(pin.value).to.equal('1')
    element.reset()
    await element.updateComplete
    expect(getComputedStyle(get(element, '#phone')).color).to.equal('rgb(240, 240, 240)')
    expect(getComputedStyle(get(element, '.country')).color).to.equal('rgb(240, 240, 240)')
  })

  it('::part(input) and ::part(pin-input) styles never show the code a second time nor draw over the slots', async () => {
    const style = document.createElement('style')
    style.textContent = `two-factor-auth::part(input), two-factor-auth::part(pin-input) {
      color: red; -webkit-text-fill-color: red; background: yellow; border: 3px solid red;
      padding: 1em; outline: 3px solid red; box-shadow: 0 0 0 4px red; text-shadow: 1px 1px red;
      caret-color: red; opacity: 0.5; letter-spacing: 0; font-size: 30px }`
    document.head.append(style)
    try {
      const { pin } = await pinStepWith('12')
      const input = getComputedStyle(pin)
      expect(input.color).to.equal(transparent)
      expect(input.webkitTextFillColor).to.equal(transparent)
      expect(input.backgroundColor).to.equal(transparent)
      expect(input.borderTopWidth).to.equal('0px')
      expect(input.outlineStyle).to.equal('none')
      expect(input.boxShadow).to.equal('none')
      expect(input.textShadow).to.equal('none')
      expect(input.caretColor).to.equal(transparent)
      expect(input.opacity).to.equal('1') // iOS offers "Paste" only on visible inputs
      const field = pin.parentElement!.getBoundingClientRect()
      const box = pin.getBoundingClientRect()
      expect([box.width, box.height]).to.deep.equal([field.width, field.height])
    } finally {
      style.remove()
    }
  })
})

describe('narrow phones', () => {
  for (const [pinLength, pinType, code] of [
    [8, 'NUMERIC', '12345678'],
    [9, 'ALPHANUMERIC', 'WWWWWWWWW'],
    [10, 'ALPHANUMERIC', 'MW8M0WMW8M'],
  ] as const) {
    it(`a ${pinLength}-character ${pinType} code fits a 390 px wide screen: no overflow, every slot and character visible`, async () => {
      await page.viewport(390, 844)
      const { element } = await pinStepWith(code.slice(0, -1), { pinLength, pinType })
      expect(document.documentElement.clientWidth).to.be.at.most(390)
      const right = element.getBoundingClientRect().right
      expect(element.scrollWidth).to.be.at.most(element.clientWidth)
      expect(slots(element)).to.have.length(pinLength)
      for (const slot of slots(element)) {
        const box = slot.getBoundingClientRect()
        expect(box.left).to.be.at.least(0)
        expect(box.right).to.be.at.most(right + 0.5)
        expect(box.width).to.be.at.least(24)
        expect(slot.scrollWidth).to.be.at.most(slot.clientWidth) // the character is not clipped
      }
      await expect(element).to.be.accessible()
    })
  }
})

describe('states', () => {
  it('a disabled widget looks disabled: its fields and buttons are faded', async () => {
    installFakeApi()
    const element = await mount('default-country="HR" disabled')
    const opacity = (node: Element | null): number =>
      node && node !== element ? Number(getComputedStyle(node).opacity) * opacity(node.parentElement) : 1
    expect(opacity(get(element, '#phone'))).to.be.below(0.7)
    expect(opacity(get(element, 'button[type=submit]'))).to.be.below(0.7)
    await expect(element).to.be.accessible()
    element.disabled = false
    await until(() => opacity(get(element, '#phone')) === 1, 'the enabled widget stayed faded')
  })

  it('a /config outage says the service is unreachable, with no blame on the number field', async () => {
    const api = installFakeApi()
    api.replyOnce('GET /config', refusal(503, 'STORE_UNAVAILABLE'))
    const element = await mount('default-country="HR"', { ready: false })
    await until(() => element.verification.configFailed && find(element, '#phone-error'))
    const phone = get<HTMLInputElement>(element, '#phone')
    expect(phone.getAttribute('aria-invalid')).to.equal('false')
    expect(getComputedStyle(phone).borderColor).to.not.equal(
      getComputedStyle(get(element, '#phone-error')).color,
    )
    expect(text(element, '#phone-error')).to.equal(
      'The service is unavailable right now. Please try again in a moment.',
    )
    await expect(element).to.be.accessible()
  })
})

describe('next to a host form’s own buttons', () => {
  it('"Send code" is outlined in the accent, not a second filled primary button', async () => {
    installFakeApi()
    const element = await mount('default-country="HR"', {
      wrap: (widget) => `<form>${widget}<button>Sign up</button></form>`,
    })
    const send = getComputedStyle(get(element, 'button[type=submit]'))
    expect(send.backgroundColor).to.equal(transparent)
    expect(send.borderTopStyle).to.equal('solid')
    expect(send.borderTopColor).to.equal(send.color)
    await expect(element).to.be.accessible()
  })

  it('the PIN step has no "Verify" button: the complete code submits itself', async () => {
    const { element } = await pinStepWith('12345')
    expect(find(element, 'button[type=submit]')).to.equal(null)
    await userEvent.keyboard('6')
    await until(() => element.verification.step === 'verified', 'the complete code was never checked')
  })

  it('the focus ring of the active slot leaves its red error border in sight', async () => {
    const { element, pin } = await pinStepWith('000000')
    await until(() => find(element, '#pin-error'))
    expect(element.shadowRoot!.activeElement).to.equal(pin)
    const active = getComputedStyle(get(element, '[part~=pin-slot-active]'))
    expect(active.outlineStyle).to.equal('solid')
    expect(parseFloat(active.outlineOffset)).to.be.at.least(1)
    expect(active.borderTopColor).to.equal(getComputedStyle(get(element, '#pin-error')).color)
  })
})
