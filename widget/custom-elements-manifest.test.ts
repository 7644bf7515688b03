/**
 * custom-elements.json (what editors, Storybook and framework tooling read) against the element
 * itself: the parts it renders in every state, its slot, its custom properties with their defaults,
 * and no internal members. `npm run build:widget` regenerates the manifest from the JSDoc.
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import manifest from '../custom-elements.json'
import { installFakeApi, RIGHT_PIN } from './testing/fake-api.js'
import { installFakeTurnstile, removeFakeTurnstile } from './testing/fake-turnstile.js'
import { click, find, mount, reachPinStep, typeInto, until } from './testing/mount.js'
import { styles } from './two-factor-auth.styles.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  removeFakeTurnstile()
})

interface Declaration {
  name: string
  cssParts?: { name: string }[]
  cssProperties?: { name: string; default?: string }[]
  slots?: { name: string }[]
  members?: { name: string }[]
}

const element = manifest.modules
  .flatMap((module) => (module.declarations ?? []) as Declaration[])
  .find((declaration) => declaration.name === 'TwoFactorAuth')!

function partsShown(widget: TwoFactorAuth, into: Set<string>): void {
  for (const node of widget.shadowRoot!.querySelectorAll('[part]'))
    for (const part of node.part) into.add(part)
}

describe('custom-elements.json', () => {
  it('lists exactly the parts the element renders across its states (phone, check, list, error, code, verified)', async () => {
    const shown = new Set<string>()
    installFakeApi({
      captcha: { provider: 'turnstile', siteKey: '1x00000000000000000000AA' },
      pinType: 'NUMERIC',
    })
    const fake = installFakeTurnstile()
    const widget = await mount('default-country="HR"')
    await until(() => fake.turnstile.render.mock.calls.length > 0, 'Turnstile was never rendered')
    await widget.updateComplete
    expect(find(widget, 'slot[name=captcha]')).to.not.equal(null)
    partsShown(widget, shown) // the phone step with its security check
    await click(widget, '#country')
    await until(() => find(widget, '[part~=country-option]'), 'the country list never opened')
    partsShown(widget, shown)
    await userEvent.keyboard('{Escape}')
    await click(widget, 'button[type=submit]')
    await until(() => find(widget, '#phone-error'))
    partsShown(widget, shown) // an error
    fake.pass('token-1')
    await reachPinStep(widget)
    await typeInto(widget, '#pin', '1')
    partsShown(widget, shown) // the code, one digit in
    await typeInto(widget, '#pin', RIGHT_PIN.slice(1))
    await until(() => find(widget, '[part~=verified]'))
    partsShown(widget, shown)

    const documented = element.cssParts!.map((part) => part.name)
    expect(documented.length).to.equal(new Set(documented).size)
    expect([...documented].sort()).to.deep.equal([...shown].sort())
  })

  it('lists the captcha slot', () => {
    expect(element.slots?.map((slot) => slot.name)).to.deep.equal(['captcha'])
  })

  it('lists every --two-factor-* property the styles read, with the default they fall back to', () => {
    const used = new Map<string, string>()
    for (const [, name, fallback] of styles.cssText.matchAll(
      /var\((--two-factor-[\w-]+),\s*((?:[^()]|\([^()]*\))*)\)/g,
    ))
      used.set(name!, fallback!.trim())
    const documented = new Map(element.cssProperties!.map((property) => [property.name, property.default]))
    expect(Object.fromEntries(documented)).to.deep.equal(Object.fromEntries(used))
  })

  it('lists no internal members', async () => {
    const members = element.members!.map((member) => member.name)
    for (const internal of [
      't',
      'verification',
      'phone',
      'pin',
      'liveMessage',
      'announce',
      'formResetCallback',
      'formDisabledCallback',
    ])
      expect(members).to.not.include(internal)
    expect(members).to.include.members(['endpoint', 'defaultCountry', 'name', 'disabled', 'strings', 'value'])
  })
})
