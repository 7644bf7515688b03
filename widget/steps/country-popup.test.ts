/**
 * The open country list as a page shows it: in the top layer (above `overflow: hidden` cards and
 * modal dialogs), beside the field rather than over it, full screen on small phones, and its search
 * and flags as people meet them.
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { installFakeApi } from '../testing/fake-api.js'
import { find, get, mount, until } from '../testing/mount.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'

beforeEach(() => page.viewport(1024, 768))
afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

async function openPicker(element: TwoFactorAuth): Promise<HTMLElement> {
  get(element, '#country').focus()
  await userEvent.keyboard('{ArrowDown}')
  await until(() => element.phone.picker.open, 'the country list never opened')
  await element.updateComplete
  await element.updateComplete
  // The top layer and anchor positioning settle at the next frame.
  await new Promise(requestAnimationFrame)
  return get<HTMLElement>(element, '.popup')
}

describe('country list keyboard', () => {
  it('Tab leaves the open list at once: the scrolling list of countries is no extra Tab stop', async () => {
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR"')
    await openPicker(element)
    await userEvent.keyboard('{Tab}')
    await until(() => !element.phone.picker.open, 'Tab stayed in the list')
    expect(element.shadowRoot!.activeElement?.id).not.to.equal('countries')
  })
})

describe('country search as people type it', () => {
  async function searchAndPick(element: TwoFactorAuth, query: string): Promise<string> {
    await openPicker(element)
    await userEvent.keyboard(`${query}{Enter}`)
    await until(() => !element.phone.picker.open, `Enter after "${query}" picked nothing`)
    return element.phone.country
  }

  it('"+1"⏎ picks the United States and "+44"⏎ the United Kingdom: a calling code’s main country first', async () => {
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR"')
    expect(await searchAndPick(element, '+1')).to.equal('US')
    expect(await searchAndPick(element, '+44')).to.equal('GB')
    expect(await searchAndPick(element, '7')).to.equal('RU')
  })
})
