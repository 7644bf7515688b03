/** Mounting and driving the element in tests, the way a person would: focus, keys, clicks. */
import { fixture } from '@open-wc/testing'
import { html, unsafeStatic } from 'lit/static-html.js'
import { vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import '../index.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'

let endpoints = 0

/** The page's own timers, taken before any test fakes the clock. */
const realSetTimeout = globalThis.setTimeout.bind(globalThis)
const realClearTimeout = globalThis.clearTimeout.bind(globalThis)

/**
 * Resolves once `predicate` holds, checking every 5 ms of real time: it works while a test runs the
 * widget's clock on fake timers (open-wc's `waitUntil` polls with the page's, possibly fake,
 * `setTimeout`), and it notices a change ten times sooner.
 */
export async function until(
  predicate: () => unknown,
  message = 'the condition never held',
  timeout = 1000,
): Promise<void> {
  const deadline = performance.now() + timeout
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`Timeout: ${message}`)
    await new Promise((resolve) => realSetTimeout(resolve, 5))
  }
}

/**
 * Puts the widget's timers and clock (`setTimeout`, `Date`) on fake time, which only the test moves
 * (`vi.advanceTimersByTimeAsync`): a countdown is then checked to the millisecond without waiting
 * for it. `vi.useRealTimers()` undoes it.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
}

/**
 * Runs `check` with the page's real `setTimeout` while the clock is fake: axe (`to.be.accessible()`)
 * paces its rules with `setTimeout(…, 0)` and would wait forever on fake time. The widget's own
 * timers stay on the fake clock, frozen until the test moves it.
 */
export async function onRealTimers<T>(check: () => PromiseLike<T>): Promise<T> {
  const fake = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout }
  Object.assign(globalThis, { setTimeout: realSetTimeout, clearTimeout: realClearTimeout })
  try {
    return await check()
  } finally {
    Object.assign(globalThis, fake)
  }
}

/** A fresh `<two-factor-auth>` at its own endpoint (so phone metadata is never shared), ready to type into. */
export async function mount(
  attributes = '',
  { wrap, ready = true }: { wrap?: (widget: string) => string; ready?: boolean } = {},
): Promise<TwoFactorAuth> {
  const widget = `<two-factor-auth endpoint="/t${++endpoints}" ${attributes}></two-factor-auth>`
  const root = await fixture<HTMLElement>(html`${unsafeStatic(wrap ? wrap(widget) : widget)}`)
  const element = (
    root.localName === 'two-factor-auth' ? root : root.querySelector('two-factor-auth')
  ) as TwoFactorAuth
  if (ready)
    await until(
      () => element.verification.config && element.phone.tools && find(element, '#phone'),
      'the widget never got ready',
    )
  return element
}

export function find<T extends Element = HTMLElement>(element: TwoFactorAuth, selector: string): T | null {
  return element.shadowRoot!.querySelector<T>(selector)
}

export function get<T extends Element = HTMLElement>(element: TwoFactorAuth, selector: string): T {
  const found = find<T>(element, selector)
  if (!found) throw new Error(`nothing matches ${selector}`)
  return found
}

export function text(element: TwoFactorAuth, selector: string): string {
  return get(element, selector).textContent?.replace(/\s+/g, ' ').trim() ?? ''
}

/** Focuses `selector` and types real key presses into it. */
export async function typeInto(element: TwoFactorAuth, selector: string, keys: string): Promise<void> {
  get(element, selector).focus()
  await userEvent.keyboard(keys)
  await element.updateComplete
}

export async function click(element: TwoFactorAuth, selector: string): Promise<void> {
  get(element, selector).click()
  await element.updateComplete
}

/** Types a Croatian mobile number and sends it; resolves on the PIN step. */
export async function reachPinStep(element: TwoFactorAuth, number = '0911234567'): Promise<void> {
  await typeInto(element, '#phone', number)
  await click(element, 'button[type=submit]')
  await until(() => find(element, '#pin'), 'the PIN step never came')
}

/** Pastes `value` into `selector` as a clipboard paste. */
export async function paste(element: TwoFactorAuth, selector: string, value: string): Promise<void> {
  const target = get(element, selector)
  target.focus()
  const clipboardData = new DataTransfer()
  clipboardData.setData('text/plain', value)
  target.dispatchEvent(
    new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true, composed: true }),
  )
  await element.updateComplete
}
