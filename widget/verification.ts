/**
 * The verification session, one per element: the server's config, the code that was sent, the
 * token it ended in, and whether an action is under way or held back by a rate limit. The steps act
 * through it (send, resend, verify, change number, reset); it alone talks to the server about the
 * code, dispatches the element's events and moves the element from step to step.
 */
import type { LitElement, ReactiveController } from 'lit'
import {
  ApiError,
  createApiClient,
  phoneNumberInToken,
  secondsUntil,
  type Answer,
  type ApiClient,
  type CaptchaConfig,
  type PinSession,
  type WidgetConfig,
} from './api-client.js'
import type { Countdown } from './countdown.js'
import { TwoFactorCodeSentEvent, TwoFactorErrorEvent, TwoFactorVerifiedEvent } from './events.js'
import { fill, type EntryStrings } from './i18n.js'
import { loadSetbacks } from './messages.js'
import type { TurnstileChallenge } from './turnstile.js'

export type Step = 'phone' | 'pin' | 'verified'

/** The PIN the server sent, with the number it went to (E.164). */
export type Session = PinSession & { phoneNumber: string }

/** What the session, the steps and the captcha use of the element: Lit's host, its words, its voice. */
export interface WidgetHost extends LitElement {
  /** The words in the current language. */
  readonly t: EntryStrings
  readonly language: string
  readonly defaultCountry: string | undefined
  /** Says `message` through the polite live region. */
  announce(message: string): void
}

/** The element's steps, as the session drives them. */
export interface SessionHost extends WidgetHost {
  readonly phone: {
    /** A config arrived: its countries may move the phone step's country. */
    useConfig(config: WidgetConfig): void
    /** Forgets the number typed. */
    clear(): void
    /** A number sent to, formatted. */
    international(phoneNumber: string): string
  }
  readonly pin: {
    /** Whether the current code can still be entered. */
    readonly usable: boolean
    /** The token ran out: the step offers to verify the same number again. */
    tokenExpired(): void
    /** A code was sent (or re-sent): start over on it. */
    begin(answer: Answer<PinSession>): void
    /** The PIN step is entered (or, after a resend, stays): listen for the SMS. */
    resume(): void
    /** The PIN step is left: stop every timer and the WebOTP request. */
    stop(): void
  }
}

type State = Pick<Verification, 'step' | 'config' | 'configFailed' | 'busy' | 'waitSeconds'>

/**
 * Its fields are for reading (the steps render from them); they change only through its actions,
 * each of which makes the element render again.
 */
export class Verification implements ReactiveController {
  step: Step = 'phone'
  config: WidgetConfig | undefined
  configFailed = false
  /** An action is under way: every other waits for it. */
  busy = false
  /** Seconds of a rate-limit wait still to go. */
  waitSeconds = 0
  /** The server's name of the limit behind that wait (`limit`), which words it. */
  waitLimit: unknown
  session: Session | undefined
  /** The signed token, once verified, until it expires. */
  token: string | undefined
  #tokenExpiry: ReturnType<typeof setTimeout> | undefined
  /** The security check the config asks for, once its code has loaded. */
  captcha: TurnstileChallenge | undefined
  /**
   * Sends need the security check (the steps show it): from the start when the config asks for one,
   * or, in its 'escalated' mode, from the server's first CAPTCHA_REQUIRED on (for every later send).
   */
  captchaNeeded = false
  client: ApiClient = createApiClient('/2fa')
  readonly #host: SessionHost
  #wait: Countdown | undefined

  /**
   * The number the code went to, as the person typed it: they need to see it whole to spot a typo
   * (the server masks `to` for anyone else who might see it).
   */
  get number(): string {
    return this.session ? this.#host.phone.international(this.session.phoneNumber) : ''
  }

  constructor(host: SessionHost) {
    this.#host = host
    host.addController(this)
  }

  hostDisconnected(): void {
    this.#stopWait()
  }

  /** Every change the element shows goes through here, so that it renders again. */
  #set(state: Partial<State>): void {
    Object.assign(this, state)
    this.#host.requestUpdate()
  }

  /** A new endpoint: a new client, and the config it serves. */
  connect(endpoint: string): void {
    this.client = createApiClient(endpoint)
    void this.loadConfig()
  }

  async loadConfig(): Promise<void> {
    this.#set({ configFailed: false })
    try {
      const config = (await this.client.getConfig()).data
      this.#set({ config })
      this.#host.phone.useConfig(config)
      this.#useCaptcha(config.captcha)
    } catch (error) {
      this.#set({ configFailed: true })
      this.#report(error)
    }
  }

  /** Pages without a captcha (or not asked for one yet) never load its code, nor Cloudflare's script. */
  #useCaptcha(captcha: CaptchaConfig | null | undefined): void {
    this.captcha?.detach()
    this.captcha = undefined
    this.captchaNeeded = false
    if (captcha?.mode !== 'escalated') this.#loadCaptcha(captcha)
  }

  #loadCaptcha(captcha: CaptchaConfig | null | undefined): void {
    if (captcha) {
      this.captchaNeeded = true
      import('./turnstile.js').then(
        ({ TurnstileChallenge }) => {
          if (this.config?.captcha !== captcha) return // another config arrived meanwhile
          this.captcha = new TurnstileChallenge(this.#host, captcha)
        },
        () => undefined, // sending then says the check is unavailable
      )
    }
  }

  /** Reports a refusal as a `two-factor-error` event and returns it as an ApiError. */
  #report(error: unknown): ApiError {
    const apiError = error instanceof ApiError ? error : new ApiError('INTERNAL_ERROR', String(error))
    this.#host.dispatchEvent(new TwoFactorErrorEvent({ code: apiError.code, message: apiError.message }))
    return apiError
  }

  /** Holds every action until `work` settles (the phone step waiting for its metadata). */
  async hold(work: Promise<unknown>): Promise<void> {
    this.#set({ busy: true })
    await work.catch(() => undefined)
    this.#set({ busy: false })
  }

  /** Blocks the current step's action for `seconds` (`limit`: the server's reason), then runs `resume`. */
  async wait(seconds: number, resume: () => void, limit: unknown): Promise<void> {
    this.waitLimit = limit
    // Without its chunk (it didn't load) the step is not held here: the server still holds it.
    const setbacks = await loadSetbacks().catch(() => undefined)
    this.#wait = setbacks?.wait(
      this.#host,
      seconds,
      limit,
      (waitSeconds) => this.#set({ waitSeconds }),
      resume,
    )
  }

  #stopWait(): void {
    this.#wait?.stop()
    this.#set({ waitSeconds: 0 })
  }

  /**
   * Sends a code to `phoneNumber` and moves to the PIN step. Returns the refusal, already
   * reported, for the calling step to show (a send held back for the security check is shown too,
   * but not reported). Asking again for the number whose code is still usable goes back to that
   * code instead of spending another SMS.
   */
  async send(phoneNumber: string, country?: string): Promise<ApiError | undefined> {
    if (this.busy || this.waitSeconds) return undefined
    if (this.session?.phoneNumber === phoneNumber && this.#host.pin.usable) {
      await this.#enterPinStep()
      return undefined
    }
    const captcha = this.captcha
    if (this.captchaNeeded && !captcha?.token) {
      // Not sent, so not reported: the step shows it like a refusal, next to the check.
      const code = captcha && !captcha.failed ? 'CAPTCHA_INCOMPLETE' : 'CAPTCHA_UNAVAILABLE'
      captcha?.retry()
      return new ApiError(code, 'no captcha token yet')
    }
    this.#set({ busy: true })
    let answer: Answer<PinSession>
    try {
      answer = await this.client.sendPin(phoneNumber, this.#host.language, country, captcha?.token)
    } catch (error) {
      const refusal = this.#report(error)
      // 'escalated' mode: unusual traffic to numbers like this one; the check is loaded only now.
      if (refusal.code === 'CAPTCHA_REQUIRED' && !this.captchaNeeded) this.#loadCaptcha(this.config?.captcha)
      return refusal
    } finally {
      this.#set({ busy: false })
      captcha?.spent() // tokens are single use, whatever the answer
    }
    this.session = { ...answer.data, phoneNumber }
    this.#codeSent(answer, false)
    await this.#enterPinStep()
    return undefined
  }

  /** Sends the current code again; returns the refusal, already reported. */
  async resend(): Promise<ApiError | undefined> {
    const session = this.session
    if (!session || this.busy) return undefined
    this.#set({ busy: true })
    try {
      const answer = await this.client.resendPin(session.pinId)
      this.session = { ...session, ...answer.data }
      this.#codeSent(answer, true)
      this.#host.pin.resume()
    } catch (error) {
      return this.#report(error)
    } finally {
      this.#set({ busy: false })
    }
    return undefined
  }

  #codeSent(answer: Answer<PinSession>, resent: boolean): void {
    const { to, expiresAt } = answer.data
    this.#host.pin.begin(answer)
    this.#host.dispatchEvent(new TwoFactorCodeSentEvent({ to, expiresAt, resent }))
    this.#host.announce(fill(this.#host.t.codeSent, { to: this.number }))
  }

  async #enterPinStep(): Promise<void> {
    this.#set({ step: 'pin' })
    this.#host.pin.resume()
    await this.#focus()
  }

  /** Checks `pin`; right, it ends in the token and the verified step. Returns the refusal, already reported. */
  async verify(pin: string): Promise<ApiError | undefined> {
    const session = this.session
    if (!session || this.busy || this.waitSeconds) return undefined
    this.#set({ busy: true })
    let answer: Answer<{ token: string; expiresAt: string }>
    try {
      answer = await this.client.verifyPin(session.pinId, pin)
    } catch (error) {
      this.#set({ busy: false })
      return this.#report(error)
    }
    const { token, expiresAt } = answer.data
    this.#host.pin.stop()
    this.token = token
    // The server refuses a token past its expiresAt: so does the form, instead of a lost submit.
    this.#tokenExpiry = setTimeout(
      () => {
        this.token = undefined
        this.#set({ step: 'pin' })
        this.#host.pin.tokenExpired()
      },
      secondsUntil(expiresAt, answer.serverNow) * 1000,
    )
    this.#set({ busy: false, step: 'verified' })
    this.#host.dispatchEvent(
      new TwoFactorVerifiedEvent({ token, phoneNumber: phoneNumberInToken(token) ?? session.phoneNumber }),
    )
    this.#host.announce(this.#host.t.verified)
    await this.#focus()
    return undefined
  }

  /** Back to the phone step, the number and the code kept (the same number returns to its code). */
  async changeNumber(): Promise<void> {
    this.#host.pin.stop()
    this.#stopWait()
    this.#set({ step: 'phone' })
    await this.#focus()
  }

  /** Back to an empty phone step, forgetting the code and the token. */
  reset(): void {
    clearTimeout(this.#tokenExpiry)
    this.#host.pin.stop()
    this.#stopWait()
    this.session = this.token = undefined
    this.#host.phone.clear()
    this.#set({ step: 'phone' })
  }

  async #focus(): Promise<void> {
    await this.#host.updateComplete
    this.#host.focus()
  }
}
