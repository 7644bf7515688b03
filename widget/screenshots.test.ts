/// <reference types="vite/client" />
/**
 * Every state of the element on a host page, next to the page's own form and button: light,
 * dark, a 390 px phone, right to left, forced colours. Each is checked with axe on every run;
 * with VITE_SCREENSHOTS=1 each is also photographed (1× DPR, cropped to the host form) into
 * docs/screenshots/ for the README:
 *
 *   VITE_SCREENSHOTS=1 npx vitest run --project widget widget/screenshots.test.ts
 */
import { expect, fixtureCleanup } from '@open-wc/testing'
import { afterEach, describe, it, vi } from 'vitest'
import { cdp, page, userEvent } from 'vitest/browser'
import { installFakeApi, refusal } from './testing/fake-api.js'
import { find, get, mount, reachPinStep, typeInto, until } from './testing/mount.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

const photograph = !!import.meta.env.VITE_SCREENSHOTS

afterEach(async () => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  await cdp().send('Emulation.setEmulatedMedia', { features: [] })
  await page.viewport(414, 896)
})

interface Look {
  name: string
  /** The host page's colours. */
  dark?: boolean
  rtl?: boolean
  /** A phone's width, 844 px high; else a 1280×800 window. */
  width?: number
  forcedColours?: boolean
}

const looks: Look[] = [
  { name: 'light' },
  { name: 'dark', dark: true },
  { name: 'phone', width: 390 },
  { name: 'rtl', rtl: true },
  { name: 'forced-colours', forcedColours: true },
]

/** A sign-up form of the host page's own, with its own fields and submit button. */
function hostPage({ dark, rtl }: Look) {
  const colours = dark
    ? 'color-scheme: dark; background: #111827; color: #e5e7eb'
    : 'color-scheme: light; background: #fff; color: #111827'
  return (widget: string) => `<form class="host" ${rtl ? 'dir="rtl" lang="ar"' : ''}
      style="${colours}; font: 16px/1.4 system-ui, sans-serif; padding: 20px; display: grid; gap: 12px; max-inline-size: 26rem">
      <label style="display: grid; gap: 4px; font-weight: 600">Email
        <input type="email" value="ana@example.com" style="font: inherit; padding: 0.6em 0.75em; border-radius: 0.5rem; border: 1px solid #9ca3af">
      </label>
      ${widget}
      <button style="justify-self: start; font: inherit; font-weight: 600; padding: 0.6em 1.2em; border: 0; border-radius: 0.5rem; background: #1d4ed8; color: #fff">Create account</button>
    </form>`
}

/**
 * What to photograph: the host form, and with it the open country list, which is in the top layer
 * and may reach beyond the form (or cover the whole phone screen). A frame without paint marks the
 * region both take up.
 */
function photographed(host: HTMLElement, element: TwoFactorAuth): HTMLElement {
  const popup = find(element, '.popup')
  if (!popup) return host
  const [a, b] = [host.getBoundingClientRect(), popup.getBoundingClientRect()]
  const [left, top] = [Math.min(a.left, b.left), Math.min(a.top, b.top)]
  const frame = document.body.appendChild(document.createElement('div'))
  frame.style.cssText =
    `position: absolute; pointer-events: none; left: ${left + scrollX}px; top: ${top + scrollY}px; ` +
    `width: ${Math.max(a.right, b.right) - left}px; height: ${Math.max(a.bottom, b.bottom) - top}px`
  return frame
}

/** The states, each reached from the one before on the same widget (the phone number's error first). */
const states: [string, (element: TwoFactorAuth) => Promise<unknown>][] = [
  ['phone', async () => undefined],
  [
    'country-list',
    async (element) => {
      get(element, '#country').focus()
      await userEvent.keyboard('{ArrowDown}')
      await until(() => element.phone.picker.open, 'the country list never opened')
      await element.updateComplete
      // The top layer and anchor positioning settle at the next frame.
      await new Promise(requestAnimationFrame)
    },
  ],
  [
    'phone-error',
    async (element) => {
      await userEvent.keyboard('{Escape}')
      await until(() => !element.phone.picker.open, 'the country list never closed')
      await typeInto(element, '#phone', '091')
      find(element, '#phone')!.blur()
      await until(() => find(element, '#phone-error'))
    },
  ],
  [
    'code',
    async (element) => {
      element.phone.clear()
      await reachPinStep(element)
      await userEvent.keyboard('12')
    },
  ],
  [
    'code-wrong',
    async (element) => {
      await userEvent.keyboard('0000')
      await until(() => find(element, '#pin-error'))
    },
  ],
  [
    'dead-end',
    async (element) => {
      await element.pin.fail('locked')
      await until(() => find(element, '.problem'))
    },
  ],
  [
    'verified',
    async (element) => {
      await element.verification.verify('123456')
      await until(() => find(element, '.verified'))
    },
  ],
]

describe('every state, on a host page', () => {
  for (const look of looks) {
    it(`${look.name}: phone, the open country list, the phone error, the code, a wrong code, a dead end, verified — each accessible${photograph ? ', photographed' : ''}`, async () => {
      // A desktop window unless the look is a phone: the open list is placed by the window's width.
      await page.viewport(look.width ?? 1280, look.width ? 844 : 800)
      if (look.forcedColours)
        await cdp().send('Emulation.setEmulatedMedia', {
          features: [{ name: 'forced-colors', value: 'active' }],
        })
      const api = installFakeApi({ resendCooldown: 30 })
      api.replyOnce('POST /pin/:id/verify', refusal(422, 'WRONG_PIN', { attemptsRemaining: 2 }))
      const element = await mount('default-country="HR"', { wrap: hostPage(look) })
      const host = element.closest('form')!
      for (const [state, reach] of states) {
        await reach(element)
        await element.updateComplete
        await expect(element, `${look.name} ${state}`).to.be.accessible()
        if (photograph) {
          const region = photographed(host, element)
          await page.screenshot({ element: region, path: `../docs/screenshots/${look.name}-${state}.png` })
          if (region !== host) region.remove()
        }
      }
    })
  }
})
