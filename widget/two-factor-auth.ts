/**
 * `<two-factor-auth>`: the whole phone-verification flow in one form-associated element. This
 * module only defines the class; `index.ts` registers it.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit'
import {
  ApiError,
  createApiClient,
  phoneNumberInToken,
  type Answer,
  type ApiClient,
  type CaptchaConfig,
  type PinSession,
  type WidgetConfig,
} from './api-client.js'
import { Countdown } from './countdown.js'
import { TwoFactorCodeSentEvent, TwoFactorErrorEvent, TwoFactorVerifiedEvent } from './events.js'
import { fill, loadTranslation, pickLanguage, resolveStrings, type Strings } from './i18n.js'
import { loadPhoneTools } from './phone-loader.js'
import type { PhoneTools } from './phone-number.js'
import { PhoneStep } from './steps/phone-step.js'
import { PinStep } from './steps/pin-step.js'
import { styles } from './two-factor-auth.styles.js'
import type { TurnstileChallenge } from './turnstile.js'

export type Step = 'phone' | 'pin' | 'verified'

/** The PIN the server sent, with the number it went to (E.164). */
export type Session = PinSession & { phoneNumber: string }

/**
 * Verifies a phone number by SMS: number → code → signed token. Inside a `<form>` the token is the
 * element's value under its `name`, and the element is invalid until the number is verified.
 *
 * @summary Phone number verification by SMS code.
 *
 * @event {TwoFactorCodeSentEvent} two-factor-code-sent - A code was sent; `detail: { to, expiresAt, resent }`.
 * @event {TwoFactorVerifiedEvent} two-factor-verified - The code was right; `detail: { token, phoneNumber }`.
 * @event {TwoFactorErrorEvent} two-factor-error - A step was refused; `detail: { code, message }` (the server's code).
 *
 * @csspart base - The fieldset around everything.
 * @csspart label - Field labels.
 * @csspart hint - Help text under a field.
 * @csspart error - Error text.
 * @csspart input - Both text inputs (also `phone-input` and `pin-input`).
 * @csspart country-button - The country picker button (flag and calling code).
 * @csspart country-popup - The country list popup; `country-search`, `country-list` and `country-option` inside it.
 * @csspart captcha - The box around the security check (Cloudflare Turnstile), when the server asks for one.
 * @csspart button - Main action buttons (send, verify, retry).
 * @csspart link - Secondary actions (change number, new code, use another number).
 * @csspart pin-field - The box that holds the PIN input and its slots; `pin-slot`, `pin-slot-active` and `pin-slot-filled` are the slots.
 * @csspart verified - The success message.
 *
 * @cssprop [--two-factor-accent=#1d4ed8] - Buttons, focus rings, the active slot.
 * @cssprop [--two-factor-accent-text=#fff] - Text on accent.
 * @cssprop [--two-factor-error=#b91c1c] - Error text and invalid borders.
 * @cssprop [--two-factor-success=#15803d] - The verified tick.
 * @cssprop [--two-factor-border=currentColor at 35%] - Input and popup borders.
 * @cssprop [--two-factor-field=Field] - Input background.
 * @cssprop [--two-factor-surface=Canvas] - Popup background.
 * @cssprop [--two-factor-radius=0.5rem] - Corner radius.
 * @cssprop [--two-factor-gap=0.75rem] - Space between rows.
 * @cssprop [--two-factor-font-size=1rem] - Base text size (inputs never go under 16px).
 */
export class TwoFactorAuth extends LitElement {
  static formAssociated = true
  static override styles = styles
  static override properties = {
    endpoint: { type: String },
    defaultCountry: { type: String, attribute: 'default-country' },
    name: { type: String, reflect: true },
    disabled: { type: Boolean, reflect: true },
    strings: { attribute: false },
    step: { state: true },
    config: { state: true },
    configFailed: { state: true },
    busy: { state: true },
    waitSeconds: { state: true },
    liveMessage: { state: true },
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang']
  }

  /** Where the kit's routes are mounted (same origin or CORS-enabled). */
  declare endpoint: string
  /** ISO 3166 alpha-2 code of the country to start with; else guessed from the browser's languages. */
  declare defaultCountry: string | undefined
  /** The form field name the token is submitted under. */
  declare name: string
  declare disabled: boolean
  /** Overrides for any of the widget's strings (see `Strings`), on top of the chosen language. */
  declare strings: Partial<Strings>

  /** @internal */ declare step: Step
  /** @internal */ declare config: WidgetConfig | undefined
  /** @internal */ declare configFailed: boolean
  /** @internal */ declare busy: boolean
  /** @internal Seconds of a rate-limit wait still to go. */ declare waitSeconds: number
  /** @internal */ declare liveMessage: string
  /** @internal The words in the current language. */ t: Strings = resolveStrings()
  /** @internal */ client: ApiClient = createApiClient('/2fa')
  /** @internal */ session: Session | undefined
  /** @internal */ phoneTools: Promise<PhoneTools> | undefined
  /** @internal The security check the config asks for, once its code has loaded. */
  captcha: TurnstileChallenge | undefined
  /** @internal */ readonly phone = new PhoneStep(this)
  /** @internal */ readonly pin = new PinStep(this)

  #token: string | undefined
  /** The language whose strings are loaded, and them. */
  #translation: { language: string; strings: Partial<Strings> } | undefined
  #internals = this.attachInternals()
  #formDisabled = false
  #afterWait: (() => void) | undefined
  #wait = new Countdown((seconds) => {
    this.waitSeconds = seconds
    if (seconds === 0 && this.#afterWait) {
      this.announce(this.t.canRetry)
      const resume = this.#afterWait
      this.#afterWait = undefined
      resume()
    }
  })

  constructor() {
    super()
    this.endpoint = '/2fa'
    this.name = ''
    this.disabled = false
    this.strings = {}
    this.step = 'phone'
    this.configFailed = false
    this.busy = false
    this.waitSeconds = 0
    this.liveMessage = ''
  }

  /** The token once verified (also the form value), else an empty string. */
  get value(): string {
    return this.#token ?? ''
  }

  get form(): HTMLFormElement | null {
    return this.#internals.form
  }

  get validity(): ValidityState {
    return this.#internals.validity
  }

  get validationMessage(): string {
    return this.#internals.validationMessage
  }

  checkValidity(): boolean {
    return this.#internals.checkValidity()
  }

  reportValidity(): boolean {
    return this.#internals.reportValidity()
  }

  /** The language in use: `lang` on the element or an ancestor, else the browser's. */
  get language(): string {
    return pickLanguage([this.closest('[lang]')?.getAttribute('lang'), ...navigator.languages])
  }

  /** Back to an empty phone step, forgetting the code and the token. */
  reset(): void {
    this.pin.stop()
    this.#stopWait()
    this.session = undefined
    this.#token = undefined
    this.phone.text = ''
    this.phone.error = undefined
    this.step = 'phone'
  }

  override focus(options?: FocusOptions): void {
    const target = this.renderRoot.querySelector<HTMLElement>('#pin, #phone, [tabindex="-1"]')
    if (target) target.focus(options)
    else super.focus(options)
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value)
    if (name === 'lang') this.requestUpdate()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#stopWait()
  }

  /** @internal */
  formResetCallback(): void {
    this.reset()
  }

  /** @internal */
  formDisabledCallback(disabled: boolean): void {
    this.#formDisabled = disabled
    this.requestUpdate()
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const language = this.language
    if (language === 'en') this.#translation = { language, strings: {} }
    else if (this.#translation?.language !== language) {
      void loadTranslation(language).then((strings) => {
        if (this.language !== language) return
        this.#translation = { language, strings }
        this.requestUpdate()
      })
    }
    this.t = resolveStrings(this.#translation?.strings, this.strings)
    if (changed.has('endpoint')) {
      this.client = createApiClient(this.endpoint)
      this.phoneTools = undefined
      void this.loadConfig()
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Phone metadata starts loading once the element has painted, never before.
    if (changed.has('endpoint')) {
      this.phoneTools = loadPhoneTools(this.endpoint)
      this.phoneTools.then(
        (tools) => this.phone.useTools(tools),
        () => undefined, // the phone step falls back to sending the number as typed, with its country
      )
    }
    this.#internals.setFormValue(this.#token ?? null)
    if (this.#token) this.#internals.setValidity({})
    else {
      const anchor = this.renderRoot.querySelector<HTMLElement>('#pin, #phone') ?? undefined
      this.#internals.setValidity({ valueMissing: true }, this.t.notVerified, anchor)
    }
  }

  /** @internal */
  async loadConfig(): Promise<void> {
    this.configFailed = false
    try {
      this.config = (await this.client.getConfig()).data
      this.phone.useConfig(this.config)
      this.#useCaptcha(this.config.captcha)
    } catch (error) {
      this.configFailed = true
      this.fail(error)
    }
  }

  /** Pages without a captcha never load its code, nor Cloudflare's script. */
  #useCaptcha(captcha: CaptchaConfig | null | undefined): void {
    this.captcha?.detach()
    this.captcha = undefined
    if (captcha) {
      import('./turnstile.js').then(
        ({ TurnstileChallenge }) => {
          if (this.config?.captcha !== captcha) return // another config arrived meanwhile
          this.captcha = new TurnstileChallenge(this, captcha)
        },
        () => undefined, // sending then says the check is unavailable
      )
    }
  }

  /** @internal Says `message` through the polite live region (again, even if it is the same text). */
  announce(message: string): void {
    this.liveMessage = message === this.liveMessage ? `${message}\u00a0` : message
  }

  /** @internal Reports a refusal as a `two-factor-error` event and returns it as an ApiError. */
  fail(error: unknown): ApiError {
    const apiError = error instanceof ApiError ? error : new ApiError('INTERNAL_ERROR', String(error))
    this.dispatchEvent(new TwoFactorErrorEvent({ code: apiError.code, message: apiError.message }))
    return apiError
  }

  /** @internal Blocks the current step's action for `seconds`, then runs `resume`. */
  startWait(seconds: number, resume: () => void): void {
    this.#afterWait = resume
    this.#wait.start(seconds)
    this.announce(fill(this.t.rateLimited, { time: String(seconds) }))
  }

  #stopWait(): void {
    this.#wait.stop()
    this.#afterWait = undefined
    this.waitSeconds = 0
  }

  /**
   * @internal Sends a code to `phoneNumber` and moves to the PIN step. Returns the refusal, already
   * reported, for the calling step to show (a send held back for the security check is shown too,
   * but not reported). Asking again for the number whose code is still usable goes back to that
   * code instead of spending another SMS.
   */
  async requestCode(phoneNumber: string, country?: string): Promise<ApiError | undefined> {
    if (this.busy || this.waitSeconds) return undefined
    if (this.session?.phoneNumber === phoneNumber && this.pin.usable) {
      await this.#enterPinStep()
      return undefined
    }
    const captcha = this.captcha
    if (this.config?.captcha && !captcha?.token) {
      // Not sent, so not reported: the step shows it like a refusal, next to the check.
      const code = captcha && !captcha.failed ? 'CAPTCHA_INCOMPLETE' : 'CAPTCHA_UNAVAILABLE'
      captcha?.retry()
      return new ApiError(code, 'no captcha token yet')
    }
    this.busy = true
    let answer: Answer<PinSession>
    try {
      answer = await this.client.sendPin(phoneNumber, this.language, country, captcha?.token)
    } catch (error) {
      return this.fail(error)
    } finally {
      this.busy = false
      captcha?.spent() // tokens are single use, whatever the answer
    }
    this.session = { ...answer.data, phoneNumber }
    this.codeSent(answer, false)
    await this.#enterPinStep()
    return undefined
  }

  /** @internal */
  codeSent(answer: Answer<PinSession>, resent: boolean): void {
    const { to, expiresAt } = answer.data
    this.pin.begin(answer)
    this.dispatchEvent(new TwoFactorCodeSentEvent({ to, expiresAt, resent }))
    this.announce(fill(this.t.codeSent, { to }))
  }

  async #enterPinStep(): Promise<void> {
    this.step = 'pin'
    this.pin.resume()
    await this.updateComplete
    this.focus()
  }

  /** @internal */
  async changeNumber(): Promise<void> {
    this.pin.stop()
    this.#stopWait()
    this.step = 'phone'
    await this.updateComplete
    this.focus()
  }

  /** @internal */
  async verified(token: string): Promise<void> {
    const session = this.session
    this.#token = token
    this.step = 'verified'
    this.dispatchEvent(
      new TwoFactorVerifiedEvent({
        token,
        phoneNumber: phoneNumberInToken(token) ?? session?.phoneNumber ?? '',
      }),
    )
    this.announce(this.t.verified)
    await this.updateComplete
    this.focus()
  }

  protected override render() {
    const t = this.t
    // Until the page's language has arrived, show nothing rather than flash English.
    if (!this.#translation) return nothing
    return html`<fieldset part="base" ?disabled=${this.disabled || this.#formDisabled}>
        ${
          this.step === 'phone'
            ? this.phone.render()
            : this.step === 'pin'
              ? this.pin.render()
              : html`<div class="verified" part="verified" tabindex="-1">
                  <p><span class="tick" aria-hidden="true">✓</span> <strong>${t.verified}</strong></p>
                  <p dir="ltr" class="to">${this.session?.to ?? nothing}</p>
                  <button type="button" class="link" part="link" @click=${() => this.#startOver()}>
                    ${t.useAnother}
                  </button>
                </div>`
        }
      </fieldset>
      <div role="status" class="visually-hidden">${this.liveMessage}</div>`
  }

  async #startOver(): Promise<void> {
    this.reset()
    await this.updateComplete
    this.focus()
  }
}
