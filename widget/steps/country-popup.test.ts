/**
 * The open country list as a page shows it: in the top layer (above `overflow: hidden` cards and
 * modal dialogs), beside the field rather than over it, full screen on small phones, and its search
 * and flags as people meet them.
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { cdp, page, userEvent } from 'vitest/browser'
import { installFakeApi } from '../testing/fake-api.js'
import { find, get, mount, until } from '../testing/mount.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'

beforeEach(() => page.viewport(1024, 768))
afterEach(async () => {
  await cdp().send('Emulation.setEmulatedMedia', { features: [] })
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

const rect = (element: TwoFactorAuth, selector: string) => get(element, selector).getBoundingClientRect()

/** The list is wholly on screen and nothing covers it: each corner hits the list itself. */
function expectFullyVisible(element: TwoFactorAuth, popup: HTMLElement): void {
  const box = popup.getBoundingClientRect()
  expect(box.height).to.be.greaterThan(150)
  expect(box.top).to.be.at.least(0)
  expect(box.left).to.be.at.least(0)
  expect(box.bottom).to.be.at.most(innerHeight)
  expect(box.right).to.be.at.most(innerWidth)
  for (const [x, y] of [
    [box.left + 3, box.top + 3],
    [box.right - 3, box.top + 3],
    [box.left + 3, box.bottom - 3],
    [box.right - 3, box.bottom - 3],
  ] as const) {
    const hit = element.shadowRoot!.elementFromPoint(x, y)
    expect(popup.contains(hit), `the list's corner (${x}, ${y}) is covered by ${hit?.nodeName}`).to.equal(
      true,
    )
  }
}

/** A card that clips its content, as many sign-up forms sit in. */
const card = (widget: string) =>
  `<div style="overflow: hidden; height: 140px; max-width: 360px; margin: 20px; border: 1px solid">${widget}</div>`

/**
 * A browser without CSS anchor positioning: the script's check says so, and the anchor properties
 * do nothing (they are reset in the element's styles).
 */
function withoutAnchorPositioning(element: TwoFactorAuth): void {
  const supports = CSS.supports.bind(CSS) as (...args: string[]) => boolean
  vi.spyOn(CSS, 'supports').mockImplementation(
    (...args: string[]) => !args.join(':').includes('anchor') && supports(...args),
  )
  const reset = new CSSStyleSheet()
  reset.replaceSync('.popup { position-area: none !important; position-try-fallbacks: none !important }')
  element.shadowRoot!.adoptedStyleSheets = [...element.shadowRoot!.adoptedStyleSheets, reset]
}

describe('country list placement', () => {
  for (const positioning of ['CSS anchor positioning', 'the script fallback'] as const) {
    describe(`with ${positioning}`, () => {
      const mountPlaced = async (wrap: (widget: string) => string) => {
        const element = await mount('default-country="HR"', { wrap })
        if (positioning === 'the script fallback') withoutAnchorPositioning(element)
        return element
      }

      it('opens below the field, not over the label or the number, and whole inside an overflow: hidden card', async () => {
        installFakeApi({ allowedCountries: null })
        const element = await mountPlaced(card)
        const popup = await openPicker(element)
        const box = popup.getBoundingClientRect()
        expect(box.top).to.be.at.least(rect(element, '#phone').bottom)
        expect(box.top).to.be.at.least(rect(element, 'label').bottom)
        expectFullyVisible(element, popup)
        await expect(element).to.be.accessible()
      })

      it('lines up with the country button where the text starts: at its left edge, at its right edge in a right-to-left form', async () => {
        installFakeApi({ allowedCountries: null })
        for (const dir of ['ltr', 'rtl']) {
          // Each form at the side of the window it starts from, as a page in that direction has it.
          const element = await mountPlaced(
            (widget) =>
              `<div dir="${dir}" style="max-width: 360px; margin: 20px; margin-inline-end: auto">${widget}</div>`,
          )
          const popup = await openPicker(element)
          const [box, button] = [popup.getBoundingClientRect(), rect(element, '#country')]
          if (dir === 'ltr') expect(box.left, dir).to.be.closeTo(button.left, 1)
          else expect(box.right, dir).to.be.closeTo(button.right, 1)
          expectFullyVisible(element, popup)
          fixtureCleanup()
        }
      })

      it('opens above the field when there is no room below it', async () => {
        installFakeApi({ allowedCountries: null })
        const element = await mountPlaced(
          (widget) => `<div style="position: fixed; inset-inline: 20px; bottom: 20px">${widget}</div>`,
        )
        const popup = await openPicker(element)
        expect(popup.getBoundingClientRect().bottom).to.be.at.most(rect(element, '#phone').top)
        expectFullyVisible(element, popup)
      })

      it('is whole and on top inside an open modal <dialog> that clips its content', async () => {
        installFakeApi({ allowedCountries: null })
        const element = await mountPlaced(
          (widget) => `<dialog style="overflow: hidden; max-height: 200px">${widget}</dialog>`,
        )
        element.closest('dialog')!.showModal()
        const popup = await openPicker(element)
        expect(popup.getBoundingClientRect().top).to.be.at.least(rect(element, '#phone').bottom)
        expectFullyVisible(element, popup)
        // Keys still reach the list in the dialog.
        await userEvent.keyboard('{ArrowDown}{Enter}')
        await until(() => !element.phone.picker.open, 'Enter did not pick')
        expect(element.phone.country).to.equal('CU') // Croatia, then Cuba
      })
    })
  }

  it('covers a 390×844 phone screen with the search field and a close button that returns to the country button', async () => {
    await page.viewport(390, 844)
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR"', { wrap: card })
    const popup = await openPicker(element)
    const box = popup.getBoundingClientRect()
    expect([box.left, box.top, box.width, box.height]).to.deep.equal([0, 0, 390, 844])
    expectFullyVisible(element, popup)
    expect(element.shadowRoot!.activeElement?.id).to.equal('country-search')
    const close = get(element, '.popup button')
    expect(close.getBoundingClientRect().width).to.be.greaterThan(0)
    await expect(element).to.be.accessible()
    close.click()
    await until(() => !element.phone.picker.open, 'the close button did not close the list')
    await element.updateComplete
    expect(find(element, '.popup')).to.equal(null)
    expect(element.shadowRoot!.activeElement?.id).to.equal('country')
  })
})

describe('country list keyboard', () => {
  it('the option the keyboard is on stands out in forced colours too (which paint every background alike)', async () => {
    await cdp().send('Emulation.setEmulatedMedia', { features: [{ name: 'forced-colors', value: 'active' }] })
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true)
    installFakeApi({ allowedCountries: ['HR', 'FR', 'DE', 'GB'] })
    const element = await mount('default-country="HR"')
    await openPicker(element)
    await userEvent.keyboard('{ArrowDown}') // from Croatia, the current country, to France
    await element.updateComplete
    expect(get(element, '#country-FR').getAttribute('aria-selected')).to.equal('true')
    // As drawn (computed styles keep the page's colours): a pixel of each row's padding.
    const drawn = async (selector: string) => {
      const image = new Image()
      image.src = `data:image/png;base64,${await page.screenshot({ element: get(element, selector), save: false })}`
      await image.decode()
      const context = Object.assign(document.createElement('canvas'), { width: 8, height: 8 }).getContext(
        '2d',
      )!
      context.drawImage(image, 0, 0)
      return [...context.getImageData(3, 3, 1, 1).data].join()
    }
    expect(await drawn('#country-FR')).not.to.equal(await drawn('#country-DE'))
  })

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

  it('finds common names the region name lacks: UK, USA, America, UAE, Emirates, Holland', async () => {
    installFakeApi({ allowedCountries: null })
    const element = await mount('default-country="HR"')
    await openPicker(element)
    const first = async (query: string) => {
      const search = get<HTMLInputElement>(element, '#country-search')
      search.select()
      await userEvent.keyboard(query)
      await element.updateComplete
      return [...element.shadowRoot!.querySelectorAll('[role=option]')].map((option) =>
        option.id.replace('country-', ''),
      )
    }
    expect((await first('uk')).slice(0, 2)).to.deep.equal(['GB', 'UA'])
    expect((await first('usa'))[0]).to.equal('US')
    expect((await first('america'))[0]).to.equal('US')
    expect((await first('uae'))[0]).to.equal('AE')
    expect((await first('emirates'))[0]).to.equal('AE')
    expect((await first('holland'))[0]).to.equal('NL')
  })
})

describe('flags', () => {
  it('shows the ISO code where the system can’t draw a flag as one emoji (no emoji font), else the emoji', async () => {
    // What this browser draws: a flag emoji is one glyph, two regional-indicator letters side by side
    // (boxes, without an emoji font) are twice as wide as one.
    const width = (text: string) => {
      const probe = document.body.appendChild(document.createElement('span'))
      probe.textContent = text
      const measured = probe.getBoundingClientRect().width
      probe.remove()
      return measured
    }
    const drawsFlags = width('🇬🇧') < 1.5 * width('🇬')
    installFakeApi()
    const element = await mount('default-country="GB"')
    expect(get(element, '.country .flag').textContent).to.equal(drawsFlags ? '🇬🇧' : 'GB')
    await openPicker(element)
    expect(get(element, '#country-HR .flag').textContent).to.equal(drawsFlags ? '🇭🇷' : 'HR')
    await expect(element).to.be.accessible()
  })
})
