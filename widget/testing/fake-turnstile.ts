/**
 * Test double for Cloudflare's `window.turnstile`, installed the way a page that loads Turnstile
 * itself would have it: records render, reset and remove, and lets a test pass the challenge,
 * expire its token or make it fail. `removeFakeTurnstile` deletes it again.
 */
import { vi } from 'vitest'
import type { Turnstile, TurnstileOptions } from '../turnstile.js'

const page = window as { turnstile?: Turnstile }

export function installFakeTurnstile() {
  const widgets = new Map<string, TurnstileOptions>()
  let rendered = 0
  const turnstile = {
    render: vi.fn((container: HTMLElement, options: TurnstileOptions) => {
      const widgetId = `turnstile-${++rendered}`
      widgets.set(widgetId, options)
      // Stands for Cloudflare's iframe.
      container.textContent = 'Security check (test)'
      return widgetId
    }),
    reset: vi.fn((_widgetId: string) => undefined),
    remove: vi.fn((widgetId: string) => void widgets.delete(widgetId)),
  } satisfies Turnstile
  page.turnstile = turnstile

  /** The options of the widget rendered last (and not removed). */
  const latest = (): TurnstileOptions => {
    const options = [...widgets.values()].at(-1)
    if (!options) throw new Error('no Turnstile widget is rendered')
    return options
  }

  return {
    turnstile,
    latest,
    pass: (token: string) => latest().callback?.(token),
    expire: () => latest()['expired-callback']?.(),
    fail: (code = '300030') => latest()['error-callback']?.(code),
  }
}

export type FakeTurnstile = ReturnType<typeof installFakeTurnstile>

/** As if the page had not loaded Turnstile. */
export function removeFakeTurnstile(): void {
  delete page.turnstile
}
