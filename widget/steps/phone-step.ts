/**
 * The phone step: country picker, the number formatted as it is typed (caret kept among the same
 * digits), pasted international numbers switching the country, and length checks before sending.
 */
import { html, nothing, type ReactiveController } from 'lit'
import type { WidgetConfig } from '../api-client.js'
import { CountryPicker } from './country-picker.js'
import { guessCountry } from '../countries.js'
import { errorMessage, lengthMessage, setbacks, type Message } from '../messages.js'
import { loadPhoneTools } from '../phone-loader.js'
import type { PhoneTools } from '../phone-number.js'
import type { Verification, WidgetHost } from '../verification.js'

/** Digits (in any script) and `+`: the characters formatting never adds or removes. */
const significant = /[\p{Nd}+]/gu

function countSignificant(text: string): number {
  return text.match(significant)?.length ?? 0
}

/** The caret index just after the `count`-th significant character of `text`. */
function caretAfter(text: string, count: number): number {
  if (count <= 0) return 0
  let seen = 0
  for (const match of text.matchAll(significant)) if (++seen === count) return match.index + match[0].length
  return text.length
}

export class PhoneStep implements ReactiveController {
  country = ''
  text = ''
  error: Message | undefined
  tools: PhoneTools | undefined
  readonly picker: CountryPicker
  /** Once the person (or a pasted number) chose the country, the config no longer moves it. */
  #chosen = false
  #loadingTools: Promise<PhoneTools> | undefined

  readonly #verification: Verification

  constructor(
    private readonly host: WidgetHost,
    verification: Verification,
  ) {
    this.#verification = verification
    host.addController(this)
    this.picker = new CountryPicker(host, this, verification)
  }

  hostConnected(): void {
    if (!this.country) this.country = guessCountry(null, this.host.defaultCountry, navigator.languages)
  }

  /** Countries the person may pick: the server's list, else every country the metadata knows. */
  get countries(): string[] {
    return this.#verification.config?.allowedCountries ?? this.tools?.countries ?? [this.country]
  }

  /** Loads the phone-number code and the endpoint's metadata (after first paint). */
  loadTools(endpoint: string): void {
    this.#loadingTools = loadPhoneTools(endpoint)
    this.#loadingTools.then(
      (tools) => this.useTools(tools),
      () => undefined, // sending falls back to the number as typed, with its country
    )
  }

  useConfig(config: WidgetConfig): void {
    const allowed = config.allowedCountries
    // A chosen country the config no longer allows is given up.
    if (allowed && !allowed.includes(this.country)) this.#chosen = false
    if (!this.#chosen) this.country = guessCountry(allowed, this.host.defaultCountry, navigator.languages)
    this.host.requestUpdate()
  }

  useTools(tools: PhoneTools): void {
    this.tools = tools
    if (this.text) this.text = tools.format(this.text, this.country).text
    this.host.requestUpdate()
  }

  /** A number the step sent (E.164), in international format as far as the metadata allows. */
  international(phoneNumber: string): string {
    return this.tools?.format(phoneNumber, this.country).text ?? phoneNumber
  }

  clear(): void {
    this.text = ''
    this.error = undefined
    // Lit sets `.value` only when `text` changed since it last rendered: a composing keyboard
    // (Samsung, IMEs) may have written digits that `text` doesn't hold yet, and that would stay.
    const input = this.#input()
    if (input) input.value = ''
  }

  #allowed(country: string): boolean {
    const allowed = this.#verification.config?.allowedCountries
    return allowed ? allowed.includes(country) : true
  }

  pickCountry(country: string): void {
    const international = this.text.trim().startsWith('+')
    const callingCode = this.tools?.callingCode(country)
    // An international number for another calling code can't be kept under the new country.
    if (international && !this.text.replace(/\D/g, '').startsWith(callingCode ?? '-')) this.text = ''
    this.country = country
    this.#chosen = true
    this.error = undefined
    if (this.text && this.tools) this.text = this.tools.format(this.text, country).text
    this.host.requestUpdate()
  }

  /** Formats `raw` into the input and puts the caret after `digitsBeforeCaret` significant characters. */
  #apply(input: HTMLInputElement, raw: string, digitsBeforeCaret: number, pasted = false): void {
    let text = raw
    const result = this.tools?.format(raw, this.country)
    if (result) {
      text = result.text
      if (result.country && result.country !== this.country) {
        if (this.#allowed(result.country)) {
          this.country = result.country
          this.#chosen = true
          // A whole pasted number reads best in its national form beside its (now picked) country.
          if (pasted && result.national) text = result.national
        } else {
          this.error = (t) => t.countryNotAllowed
        }
      } else if (
        pasted &&
        result.problem === 'INVALID_COUNTRY' &&
        this.#verification.config?.allowedCountries
      ) {
        this.error = (t) => t.countryNotAllowed // a calling code of none of the allowed countries
      }
    }
    this.text = text
    // Once shown, a message follows every keystroke; "too long" shows at once, as more typing can't fix it.
    if (this.error || result?.problem === 'TOO_LONG') this.error = this.#check()?.error
    if (input.value !== text) {
      input.value = text
      const caret = digitsBeforeCaret === Infinity ? text.length : caretAfter(text, digitsBeforeCaret)
      input.setSelectionRange(caret, caret)
    }
    this.host.requestUpdate()
  }

  #onBeforeInput = (event: InputEvent): void => {
    const input = event.target as HTMLInputElement
    const caret = input.selectionStart ?? 0
    // Backspace right after a space or bracket the formatter put there would only see it put back:
    // delete the digit before it instead.
    if (event.inputType === 'deleteContentBackward' && caret > 0 && caret === input.selectionEnd) {
      const before = input.value.slice(0, caret)
      if (!/[\p{Nd}+]$/u.test(before)) {
        event.preventDefault()
        const kept = before.replace(/[\p{Nd}+][^\p{Nd}+]*$/u, '')
        this.#apply(input, kept + input.value.slice(caret), countSignificant(kept))
      }
    }
  }

  #onInput = (event: InputEvent): void => {
    // Reformatting during composition confuses keyboards that compose (Samsung, IMEs): wait for the end.
    if (event.isComposing) return
    const input = event.target as HTMLInputElement
    const caret = input.selectionStart ?? input.value.length
    this.#apply(
      input,
      input.value,
      caret >= input.value.length ? Infinity : countSignificant(input.value.slice(0, caret)),
    )
  }

  #onPaste = (event: ClipboardEvent): void => {
    const pasted = (event.clipboardData?.getData('text') ?? '').replace(/^\s*tel:/i, '').trim()
    if (!/^(\+|00)/.test(pasted)) return // national digits: the browser pastes, `input` formats
    event.preventDefault()
    this.#apply(event.target as HTMLInputElement, pasted, Infinity, true)
  }

  #onBlur = (event: FocusEvent): void => {
    // Leaving because the step changed (the input is being removed) is not leaving the field.
    if (!(event.target as Element).isConnected || this.#verification.step !== 'phone') return
    if (this.text.trim() && !this.picker.open) {
      this.error = this.#check()?.error
      this.host.requestUpdate()
    }
  }

  /** The number to send, or what is wrong with it. */
  #check(): { phoneNumber?: string; country?: string; error?: Message } | undefined {
    if (!this.text.trim()) return { error: (t) => t.required }
    const tools = this.tools
    if (!tools) return { phoneNumber: this.text, country: this.country } // the server parses it
    let result = tools.format(this.text, this.country)
    // Autofill sometimes drops the `+` of an international number: accept "385 91…" for "+385 91…".
    if (result.problem && !this.text.trim().startsWith('+')) {
      const asInternational = tools.format(`+${this.text}`, this.country)
      if (!asInternational.problem && asInternational.country === this.country) result = asInternational
    }
    if (result.problem === 'INVALID_COUNTRY' && this.#verification.config?.allowedCountries)
      return { error: (t) => t.countryNotAllowed }
    if (result.problem) return { error: lengthMessage(result.problem) }
    if (result.country && !this.#allowed(result.country)) return { error: (t) => t.countryNotAllowed }
    return { phoneNumber: result.e164 ?? this.text }
  }

  #input(): HTMLInputElement | null {
    return this.host.renderRoot.querySelector('#phone')
  }

  #submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault()
    const host = this.host
    const verification = this.#verification
    if (verification.busy || verification.waitSeconds) return
    if (!this.tools && this.#loadingTools) await verification.hold(this.#loadingTools)
    const checked = this.#check()
    this.error = checked?.error
    host.requestUpdate()
    if (this.error || !checked?.phoneNumber) {
      host.announce(this.error?.(host.t) ?? '')
      this.#input()?.focus()
      return
    }
    const refusal = await verification.send(checked.phoneNumber, checked.country)
    if (!refusal) return
    if (refusal.code === 'RATE_LIMITED') {
      this.error = undefined
      verification.wait(refusal.retryAfter ?? 1, () => this.#input()?.focus(), refusal.details.limit)
    } else {
      this.error = await errorMessage(refusal, host)
      host.announce(this.error(host.t))
    }
    // Not on the send button, which a wait disables (and the keyboard with it, to <body>).
    this.#input()?.focus()
  }

  render() {
    const host = this.host
    const verification = this.#verification
    const t = host.t
    // Only a problem with the number marks the field invalid, not a wait or an outage.
    const invalid = !verification.waitSeconds && !verification.configFailed && this.error?.(t)
    const error = verification.waitSeconds
      ? setbacks?.waitText(host, verification.waitSeconds, verification.waitLimit)
      : verification.configFailed
        ? t.unavailable
        : invalid
    const example = this.tools?.example(this.country)
    return html`<form class="step" @submit=${this.#submit} novalidate>
      <label for="phone" part="label">${t.phoneLabel}</label>
      <div class="field" part="phone-field">
        ${this.picker.renderButton()}
        <input
          id="phone"
          part="input phone-input"
          type="tel"
          autocomplete="tel"
          inputmode="tel"
          dir="ltr"
          .value=${this.text}
          placeholder=${example ?? nothing}
          aria-describedby=${error ? 'phone-hint phone-error' : 'phone-hint'}
          aria-invalid=${!!invalid}
          @beforeinput=${this.#onBeforeInput}
          @input=${this.#onInput}
          @compositionend=${this.#onInput}
          @paste=${this.#onPaste}
          @blur=${this.#onBlur}
        />
      </div>
      ${this.picker.renderPopup()}
      <p id="phone-hint" class="hint" part="hint">${t.phoneHint}</p>
      ${error ? html`<p id="phone-error" class="error" part="error">${error}</p>` : nothing}
      ${verification.captchaNeeded ? html`<div part="captcha"><slot name="captcha"></slot></div>` : nothing}
      ${
        verification.configFailed
          ? html`<button type="button" part="button" @click=${() => verification.loadConfig()}>
              ${t.tryAgain}
            </button>`
          : html`<button
              type="submit"
              part="button"
              ?disabled=${verification.waitSeconds > 0}
              aria-disabled=${verification.busy || nothing}
            >
              ${verification.busy ? t.sending : t.sendCode}
            </button>`
      }
    </form>`
  }
}
