import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { guessCountry } from '../countries.js'
import { installFakeApi } from '../testing/fake-api.js'
import { find, get, mount, text, until } from '../testing/mount.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'

afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
})

const options = (element: TwoFactorAuth) =>
  [...element.shadowRoot!.querySelectorAll('[role=option]')].map((option) =>
    option.id.replace('country-', ''),
  )
const active = (element: TwoFactorAuth) =>
  get(element, '#country-search').getAttribute('aria-activedescendant')

async function openPicker(element: TwoFactorAuth): Promise<void> {
  get(element, '#country').focus()
  await userEvent.keyboard('{ArrowDown}')
  // The first open may wait for the list's chunk (focusing the button started loading it).
  await until(() => element.phone.picker.open, 'the country list never opened')
  await element.updateComplete
  await element.updateComplete
}

describe('country picker', () => {
  it('lists only the countries the server allows, by localised name, as an accessible listbox', async () => {
    installFakeApi()
    const element = await mount('default-country="HR"')
    await openPicker(element)
    expect(options(element)).to.deep.equal(['HR', 'FR', 'DE', 'GB', 'US']) // Croatia, France, Germany, United Kingdom, United States
    expect(get(element, '#country').getAttribute('aria-expanded')).to.equal('true')
    expect(element.shadowRoot!.activeElement?.id).to.equal('country-search')
    expect(active(element)).to.equal('country-HR')
    // The flag is the emoji or, without an emoji font, the ISO code (country-popup.test.ts).
    expect(text(element, '#country-GB')).to.equal(`${text(element, '#country-GB .flag')} United Kingdom +44`)
    await expect(element).to.be.accessible()
  })

  it('moves with the arrow keys, Home and End, picks with Enter, and hands focus to the number', async () => {
    installFakeApi()
    const element = await mount('default-country="HR"')
    await openPicker(element)
    await userEvent.keyboard('{ArrowDown}{ArrowDown}')
    await element.updateComplete
    expect(active(element)).to.equal('country-DE')
    await userEvent.keyboard('{End}')
    await element.updateComplete
    expect(active(element)).to.equal('country-US')
    await userEvent.keyboard('{Home}{ArrowDown}{Enter}')
    await element.updateComplete
    await element.updateComplete
    expect(element.phone.country).to.equal('FR')
    expect(find(element, '[role=listbox]')).to.equal(null)
    expect(element.shadowRoot!.activeElement?.id).to.equal('phone')
    expect(get<HTMLInputElement>(element, '#phone').placeholder).to.equal('06 12 34 56 78')
  })

  it('searches by name without accents, by ISO code and by calling code', async () => {
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR" lang="hr"')
    await openPicker(element)
    await userEvent.keyboard('njema')
    await element.updateComplete
    expect(options(element)).to.deep.equal(['DE'])
    const search = get<HTMLInputElement>(element, '#country-search')
    search.select()
    await userEvent.keyboard('+385')
    await element.updateComplete
    expect(options(element)).to.deep.equal(['HR'])
    search.select()
    await userEvent.keyboard('cile') // Čile
    await element.updateComplete
    expect(options(element)).to.deep.equal(['CL'])
    search.select()
    await userEvent.keyboard('zzzz')
    await element.updateComplete
    expect(text(element, '.popup [role=status]')).to.equal('Nema takve države')
    await expect(element).to.be.accessible()
  })

  it('closes on Escape and returns focus to its button', async () => {
    installFakeApi()
    const element = await mount('default-country="HR"')
    await openPicker(element)
    await userEvent.keyboard('{Escape}')
    await element.updateComplete
    await element.updateComplete
    expect(find(element, '.popup')).to.equal(null)
    expect(element.shadowRoot!.activeElement?.id).to.equal('country')
    expect(element.phone.country).to.equal('HR')
  })

  it('shows a single allowed country without a control', async () => {
    installFakeApi({ allowedCountries: ['HR'] })
    const element = await mount()
    expect(find(element, '#country')).to.equal(null)
    expect(text(element, '.country')).to.equal(`Country: Croatia ${text(element, '.country .flag')} +385`)
    await expect(element).to.be.accessible()
  })
})

describe('default country', () => {
  it('comes from default-country, else the browser languages, else the first allowed', () => {
    expect(guessCountry(['HR', 'DE'], 'de', ['hr'])).to.equal('DE')
    expect(guessCountry(['HR', 'DE'], undefined, ['en-US', 'hr'])).to.equal('HR')
    expect(guessCountry(['HR', 'DE'], undefined, ['de'])).to.equal('DE') // "de" implies Germany
    expect(guessCountry(['HR', 'DE'], 'FR', ['fr-FR'])).to.equal('HR')
    expect(guessCountry(null, undefined, ['pt-BR'])).to.equal('BR')
  })
})

describe('country search ranking', () => {
  it('puts names that start with the query first', async () => {
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR"')
    await openPicker(element)
    await userEvent.keyboard('ger')
    await element.updateComplete
    expect(options(element).slice(0, 2)).to.deep.equal(['DE', 'DZ']) // Germany, then Algeria
  })
})
