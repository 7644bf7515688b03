/**
 * `<two-factor-auth>`: the whole phone-verification flow in one form-associated element. This
 * module only defines the class; `index.ts` registers it.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { loadTranslation, pickLanguage, resolveStrings, type EntryStrings, type Strings } from './i18n.js'
import { PhoneStep } from './steps/phone-step.js'
import { PinStep } from './steps/pin-step.js'
import { styles } from './two-factor-auth.styles.js'
import {
  Verification,
  type Session as SessionOfVerification,
  type Step as StepOfVerification,
} from './verification.js'

// Declared here, not re-exported, so that they stay what they were: types of this module, not
// entries of the custom-elements manifest.
export type Step = StepOfVerification
/** The PIN the server sent, with the number it went to (E.164). */
export type Session = SessionOfVerification

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
 * @slot captcha - Where the security check (Cloudflare Turnstile) renders its challenge, when the server asks for one; the widget fills it itself.
 *
 * @csspart base - The fieldset around everything.
 * @csspart label - Field labels.
 * @csspart hint - Help text under a field (also the wait before a new code can be sent).
 * @csspart error - Error text.
 * @csspart input - The number input and the country search. The code's real input has no part: it is invisible, under the slots that show the code.
 * @csspart phone-input - The number input.
 * @csspart phone-field - The row of the country button and the number input.
 * @csspart country-button - The country picker button (flag and calling code).
 * @csspart country-popup - The country list popup.
 * @csspart country-search - The search input in the country popup.
 * @csspart country-list - The list of countries.
 * @csspart country-option - One country in the list.
 * @csspart captcha - The box around the security check, when the server asks for one.
 * @csspart button - Main action buttons (send, try again).
 * @csspart link - Secondary actions (change number, new code, use another number).
 * @csspart pin-field - The box that holds the code's slots.
 * @csspart pin-slot - One character of the code.
 * @csspart pin-slot-active - The slot the next character goes in (ringed while the code has focus).
 * @csspart pin-slot-filled - A slot that holds a character.
 * @csspart verified - The success message.
 *
 * @cssprop [--two-factor-accent=light-dark(#1d4ed8, #93c5fd)] - Buttons, links, focus rings, the active slot.
 * @cssprop [--two-factor-accent-text=light-dark(#fff, #0b1220)] - Text on accent (the highlighted country).
 * @cssprop [--two-factor-error=light-dark(#b91c1c, #fca5a5)] - Error text and invalid borders.
 * @cssprop [--two-factor-success=light-dark(#15803d, #86efac)] - The verified tick.
 * @cssprop [--two-factor-border=color-mix(in srgb, currentColor 45%, transparent)] - Input, slot and popup borders.
 * @cssprop [--two-factor-field=Field] - Input and slot background.
 * @cssprop [--two-factor-field-text=FieldText] - Input and slot text; set it with `--two-factor-field` for a dark field on a light page.
 * @cssprop [--two-factor-surface=Canvas] - Popup background.
 * @cssprop [--two-factor-radius=0.5rem] - Corner radius.
 * @cssprop [--two-factor-gap=0.75rem] - Space between rows.
 * @cssprop [--two-factor-font-size=1rem] - Base text size (inputs never go under 16px).
 */
export class TwoFactorAuth extends LitElement {
  static formAssociated = true
  static override styles = styles
  static override properties = {
    // No `type: String`: Lit's default converter passes text through as it is, which is all it does.
    endpoint: {},
    defaultCountry: { attribute: 'default-country' },
    name: { reflect: true },
    disabled: { type: Boolean, reflect: true },
    strings: { attribute: false },
    liveMessage: { state: true },
    // Reactive, so that a new language renders; reflected, so that the page and screen readers see it.
    lang: { reflect: true },
    // `as const`: the framework typings (widget/frameworks) read the attribute names from here.
  } as const

  /** Where the kit's routes are mounted (same origin or CORS-enabled). */
  declare endpoint: string
  /** ISO 3166 alpha-2 code of the country to start with; else guessed from the browser's languages. */
  declare defaultCountry: string | undefined
  /**
   * The language to speak (BCP 47, like `he-IL`), else the nearest `lang` up the page, else the
   * browser's: one of the 16 bundled (en ar de es fr he hr it ja nl pl pt ru tr uk zh) or one a
   * page registered with `registerLanguage`; English otherwise.
   */
  declare lang: string
  /** The form field name the token is submitted under. */
  declare name: string
  /** Disables the whole widget (it is also disabled inside a disabled `<fieldset>`). */
  declare disabled: boolean
  /** Overrides for any of the widget's strings (see `Strings`), on top of the chosen language. */
  declare strings: Partial<Strings>

  /** @internal */ declare liveMessage: string
  /** @internal The words in the current language. */ t: EntryStrings = resolveStrings()
  /** @internal The session: config, busy, wait, code, token; the steps act through it. */
  readonly verification: Verification = new Verification(this)
  /** @internal */ readonly phone: PhoneStep = new PhoneStep(this, this.verification)
  /** @internal */ readonly pin: PinStep = new PinStep(this, this.verification)

  /** The language whose strings are loaded, and them. */
  #translation: { language: string; strings: Partial<Strings> } | undefined
  #internals = this.attachInternals()

  constructor() {
    super()
    this.endpoint = '/2fa'
    this.name = ''
    this.disabled = false
    this.strings = {}
    this.liveMessage = ''
  }

  /** The token once verified (also the form value), else an empty string. */
  get value(): string {
    return this.verification.token ?? ''
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
    return pickLanguage([this.lang || this.closest('[lang]')?.getAttribute('lang'), ...navigator.languages])
  }

  /** Back to an empty phone step, forgetting the code and the token. */
  reset(): void {
    this.verification.reset()
  }

  override focus(options?: FocusOptions): void {
    const target = this.renderRoot.querySelector<HTMLElement>('#pin, #phone, [tabindex="-1"]')
    if (target) target.focus(options)
    else super.focus(options)
  }

  /** @internal */
  formResetCallback(): void {
    this.reset()
  }

  /** @internal */
  formDisabledCallback(): void {
    // Not remembered: removing the attribute calls this in the middle of an update (Lit reflects
    // after render), too late for that render and too early to ask for another. `render` looks.
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
    if (changed.has('endpoint')) this.verification.connect(this.endpoint)
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Phone metadata starts loading once the element has painted, never before.
    if (changed.has('endpoint')) this.phone.loadTools(this.endpoint)
    const token = this.verification.token
    this.#internals.setFormValue(token ?? null)
    if (token) this.#internals.setValidity({})
    else {
      const anchor = this.renderRoot.querySelector<HTMLElement>('#pin, #phone, .problem button') ?? undefined
      const message = this.pin.problem === 'tokenExpired' ? this.t.tokenExpired : this.t.notVerified
      this.#internals.setValidity({ valueMissing: true }, message, anchor)
    }
  }

  /** @internal Says `message` through the polite live region (again, even if it is the same text). */
  announce(message: string): void {
    this.liveMessage = message === this.liveMessage ? `${message}\u00a0` : message
  }

  // Typed with lit's own names, so the declarations import 'lit' (a dependency), not 'lit-html'.
  protected override render(): TemplateResult | typeof nothing {
    const t = this.t
    // Until the page's language has arrived, show nothing rather than flash English.
    if (!this.#translation) return nothing
    // Words in Hebrew, Arabic (Persian, Urdu…), Syriac, Thaana or N'Ko script turn the layout right
    // to left even on a page that didn't say `dir="rtl"`; a registered language needs no flag.
    return html`<fieldset
        part="base"
        dir=${/[\u0590-\u08ff]/.test(t.phoneLabel) ? 'rtl' : nothing}
        ?disabled=${this.disabled || this.closest('fieldset:disabled')}
      >
        ${
          this.verification.step === 'phone'
            ? this.phone.render()
            : this.verification.step === 'pin'
              ? this.pin.render()
              : html`<div class="verified" part="verified" tabindex="-1">
                  <p><span class="tick" aria-hidden="true">✓</span> <strong>${t.verified}</strong></p>
                  <p dir="ltr" class="to">${this.verification.number}</p>
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
