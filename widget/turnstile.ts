/**
 * Cloudflare Turnstile on the phone step, in a chunk of its own: only a config that asks for a
 * captcha imports it, and only then is Cloudflare's script added to the page. That script comes
 * straight from Cloudflare, which forbids proxying or caching it, so it is never bundled.
 *
 * Turnstile does not render reliably inside a shadow root: the challenge lives in a light-DOM
 * child of the element (`slot="captcha"`), which the step that can send a code (the phone step,
 * or a dead-end code's "Send a new code") projects above its button. This module imports types
 * only, so the chunk shares no code with the entry.
 */
import type { ReactiveController } from 'lit'
import type { CaptchaConfig } from './api-client.js'
import type { WidgetHost } from './verification.js'

/** The options of `turnstile.render` the widget uses. */
export interface TurnstileOptions {
  sitekey: string
  action?: string
  theme?: 'auto' | 'light' | 'dark'
  language?: string
  'response-field'?: boolean
  callback?: (token: string) => void
  'expired-callback'?: () => void
  'error-callback'?: (code: string) => unknown
}

/** The part of Cloudflare's `window.turnstile` the widget uses. */
export interface Turnstile {
  render(container: HTMLElement, options: TurnstileOptions): string | null | undefined
  reset(widgetId: string): void
  remove(widgetId: string): void
}

/** Read through a cast, not a global declaration, so the published types touch no page's `Window`. */
function pageTurnstile(): Turnstile | undefined {
  return (window as { turnstile?: Turnstile }).turnstile
}

export const turnstileScript = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'

let loading: Promise<Turnstile> | undefined

/**
 * The page's own `window.turnstile` if it loaded one, else Cloudflare's script, added once per
 * page however many widgets ask. A failed load is forgotten so that the next attempt retries.
 */
export function loadTurnstile(): Promise<Turnstile> {
  const present = pageTurnstile()
  if (present) return Promise.resolve(present)
  if (!loading) {
    const script = Object.assign(document.createElement('script'), {
      src: turnstileScript,
      async: true,
      defer: true,
    })
    const load = new Promise<Turnstile>((resolve, reject) => {
      script.addEventListener('load', () => {
        const loaded = pageTurnstile()
        if (loaded) resolve(loaded)
        else reject(new Error(`${turnstileScript} set no window.turnstile`))
      })
      script.addEventListener('error', () => reject(new Error(`${turnstileScript} could not be loaded`)))
    })
    load.catch(() => {
      script.remove()
      loading = undefined
    })
    loading = load
    document.head.append(script)
  }
  return loading
}

/**
 * One element's challenge: rendered while the element is connected, removed with its container
 * when it leaves the page, rendered afresh when it comes back.
 */
export class TurnstileChallenge implements ReactiveController {
  /** The latest token; tokens are single use, so it is forgotten once sent, expired or failed. */
  token: string | undefined
  /** Cloudflare's script (or the challenge) could not be loaded; `retry` tries again. */
  failed = false
  #turnstile: Turnstile | undefined
  #widgetId: string | undefined
  #container: HTMLElement | undefined
  /** Counts renders and removals, so that a load finishing after either is dropped. */
  #generation = 0

  constructor(
    private readonly host: WidgetHost,
    private readonly config: CaptchaConfig,
  ) {
    host.addController(this) // renders at once if the element is on the page
  }

  hostConnected(): void {
    void this.#render()
  }

  hostDisconnected(): void {
    this.#remove()
  }

  /** Taken off the element for good (its config no longer asks for this check). */
  detach(): void {
    this.#remove()
    this.host.removeController(this)
  }

  /** After every send, whatever the answer: the token was used, so start a new check. */
  spent(): void {
    this.#setToken(undefined)
    if (this.#widgetId !== undefined) this.#turnstile?.reset(this.#widgetId)
  }

  /** Tries a failed load again; a working challenge is left alone (the person may be solving it). */
  retry(): void {
    if (this.failed) void this.#render()
  }

  async #render(): Promise<void> {
    this.#remove()
    const generation = this.#generation
    this.failed = false
    try {
      const turnstile = await loadTurnstile()
      if (generation !== this.#generation) return
      const container = document.createElement('div')
      container.slot = 'captcha'
      this.host.append(container)
      this.#container = container
      this.#turnstile = turnstile
      this.#widgetId =
        turnstile.render(container, {
          sitekey: this.config.siteKey,
          action: this.config.action,
          theme: 'auto',
          language: this.host.language,
          // Turnstile's hidden input would put the single-use token into the page's own form.
          'response-field': false,
          callback: (token) => this.#setToken(token),
          'expired-callback': () => this.#setToken(undefined),
          // Turnstile retries by itself; returning nothing lets it log the error code for the page.
          'error-callback': () => void this.#setToken(undefined),
        }) ?? undefined
    } catch {
      if (generation !== this.#generation) return
      this.#remove()
      this.failed = true
      this.host.requestUpdate()
    }
  }

  #remove(): void {
    this.#generation++
    if (this.#widgetId !== undefined) this.#turnstile?.remove(this.#widgetId)
    this.#container?.remove()
    this.#widgetId = this.#container = this.token = undefined
  }

  #setToken(token: string | undefined): void {
    this.token = token
    this.host.requestUpdate()
  }
}
