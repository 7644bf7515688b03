/**
 * The PIN step: ONE real input (so iOS "From Messages", Android autofill and paste all work) with
 * slots drawn over it, auto-submit when complete, WebOTP where the browser has it, a resend
 * countdown from the server's times, and a way forward from every dead end.
 */
import { html, nothing, type ReactiveController } from 'lit'
import { secondsUntil, type Answer, type ApiError, type PinSession, type PinType } from '../api-client.js'
import { Countdown } from '../countdown.js'
import { fill, formatWait } from '../i18n.js'
import { loadSetbacks, setbacks, type Message } from '../messages.js'
import { cleanPin } from '../pin-text.js'
import { readSmsCode } from '../web-otp.js'
import type { Verification, WidgetHost } from '../verification.js'

/**
 * Dead ends of a code; each is shown with the actions that lead on. `unusable`: the server no
 * longer takes the code and the widget doesn't know why. `tokenExpired`: the code was verified,
 * but the token it gave has run out.
 */
export type PinProblem = 'expired' | 'locked' | 'notDelivered' | 'unusable' | 'tokenExpired'

/** Seconds after sending at which to ask the server whether the SMS was delivered. */
const deliveryChecks = [5, 10, 20, 40]

export class PinStep implements ReactiveController {
  text = ''
  error: Message | undefined
  problem: PinProblem | undefined
  resendSeconds = 0
  #otp: AbortController | undefined
  #expiry: ReturnType<typeof setTimeout> | undefined
  #deliveryCheck: ReturnType<typeof setTimeout> | undefined
  /** When the code expires, on this browser's clock set right by the server's (as the expiry timer). */
  #expiresAt = 0
  /** @internal The server's name of the limit a refused resend waits for (`limit`), which words the wait. */
  resendLimit: unknown
  #resend = new Countdown((seconds) => {
    const wasWaiting = this.resendSeconds > 0
    this.resendSeconds = seconds
    this.host.requestUpdate()
    if (wasWaiting && !seconds) {
      this.host.announce(this.host.t.resendReady)
      // A dead end's way forward has just appeared: the keyboard goes to it, if it is in the widget.
      if (this.problem && this.host.matches(':focus-within')) void setbacks?.focusWayForward(this.host)
    }
  })

  readonly #verification: Verification

  constructor(
    readonly host: WidgetHost,
    verification: Verification,
  ) {
    this.#verification = verification
    host.addController(this)
  }

  get #length(): number {
    return this.#verification.config?.pinLength ?? 6
  }

  get #type(): PinType {
    return this.#verification.config?.pinType ?? 'NUMERIC'
  }

  /** Whether the current code can still be entered. */
  get usable(): boolean {
    const session = this.#verification.session
    return !!session && !this.problem && Date.parse(session.expiresAt) > Date.now()
  }

  hostDisconnected(): void {
    this.stop()
  }

  /** A code was sent (or re-sent): start over on it. */
  begin({ data, serverNow }: Answer<PinSession>): void {
    this.stop()
    this.text = ''
    this.error = undefined
    this.problem = undefined
    this.resendLimit = undefined
    this.#resend.start(secondsUntil(data.resendAvailableAt, serverNow))
    const expiresIn = secondsUntil(data.expiresAt, serverNow) * 1000
    this.#expiresAt = Date.now() + expiresIn
    this.#expiry = setTimeout(() => this.fail('expired'), expiresIn)
    this.#scheduleDeliveryCheck(0)
  }

  /** Entering (or coming back to) the step: listen for the SMS through WebOTP, count down again. */
  resume(): void {
    this.#resend.resume()
    if (!this.problem) this.#listenForSms()
  }

  /** Leaving the step: stop every timer and the WebOTP request. */
  stop(): void {
    this.#resend.stop()
    this.#stopCode()
  }

  /** The code is done with: no expiry, no delivery checks, no SMS to wait for. */
  #stopCode(): void {
    this.#otp?.abort()
    clearTimeout(this.#expiry)
    clearTimeout(this.#deliveryCheck)
  }

  #listenForSms(): void {
    this.#otp?.abort()
    const otp = (this.#otp = new AbortController())
    void readSmsCode(otp.signal).then((code) => {
      if (!code || otp.signal.aborted || this.#verification.step !== 'pin') return
      this.text = cleanPin(code, this.#type).slice(0, this.#length)
      this.host.requestUpdate()
      void this.verify()
    })
  }

  #scheduleDeliveryCheck(attempt: number): void {
    const delay = deliveryChecks[attempt]
    const session = this.#verification.session
    if (delay === undefined || !session) return
    this.#deliveryCheck = setTimeout(async () => {
      try {
        const { data } = await this.#verification.client.getPin(session.pinId)
        if (data.status === 'FAILED') this.fail('notDelivered')
        else if (data.status === 'PENDING' || data.status === 'SENT') this.#scheduleDeliveryCheck(attempt + 1)
      } catch (error) {
        // PIN_NOT_FOUND: the code is gone (expired, used, locked), there is nothing more to learn.
        if ((error as ApiError).code !== 'PIN_NOT_FOUND') this.#scheduleDeliveryCheck(attempt + 1)
      }
    }, delay * 1000)
  }

  /** The token ran out: the step offers to verify the same number again. */
  tokenExpired(): void {
    this.#resend.stop()
    this.resendSeconds = 0
    void this.fail('tokenExpired')
  }

  /** @internal Shows a dead end; the setbacks' chunk says it and puts the keyboard on the way forward. */
  async fail(problem: PinProblem): Promise<void> {
    if (this.#verification.step === 'verified') return
    const focused = this.host.matches(':focus-within')
    this.problem = problem
    this.error = undefined
    this.#stopCode() // the resend countdown goes on: it leads to the way forward
    this.host.requestUpdate()
    const loaded = await loadSetbacks().catch(() => undefined)
    this.host.requestUpdate()
    await loaded?.deadEnd(this, focused)
  }

  /** @internal Why and how long until a new code can be asked for (`long`: for the live region). */
  resendWait(long?: boolean): string {
    const host = this.host
    const seconds = this.resendSeconds
    return this.resendLimit && setbacks
      ? setbacks.waitText(host, seconds, this.resendLimit, long)
      : fill(host.t.resendIn, { time: formatWait(host.language, seconds, long, host.t) })
  }

  /** @internal The number the code went to, as the person typed it. */
  get number(): string {
    return this.#verification.number
  }

  /**
   * @internal Why the server no longer takes the code. It answers PIN_NOT_FOUND for an unknown, expired, used
   * or locked code alike, so that outsiders can't tell them apart. The step knows the expiry time;
   * running out of attempts it already learnt from the last WRONG_PIN, and never asks again then.
   */
  deadEnd(): PinProblem {
    return Date.now() >= this.#expiresAt ? 'expired' : 'unusable'
  }

  #onInput = (event: InputEvent): void => {
    const input = event.target as HTMLInputElement
    this.#otp?.abort() // the person is typing: an SMS arriving now must not overwrite them
    const clean = cleanPin(input.value, this.#type).slice(0, this.#length)
    if (input.value !== clean) input.value = clean
    this.text = clean
    this.error = undefined
    this.host.requestUpdate()
    if (clean.length === this.#length) void this.verify()
  }

  async verify(): Promise<void> {
    const verification = this.#verification
    const { session, busy, waitSeconds } = verification
    if (!session || busy || waitSeconds || this.problem || this.text.length < this.#length) return
    this.#otp?.abort()
    const refusal = await verification.verify(this.text)
    if (refusal) await (await loadSetbacks()).codeRefused(this, refusal, this.#length, verification)
  }

  /** Sends the same code again or, when the old one is gone, a new one; a refusal is shown here. */
  async #resendCode(): Promise<void> {
    const host = this.host
    const verification = this.#verification
    const session = verification.session
    if (!session || verification.busy) return
    let refusal: ApiError | undefined
    // A verified code the server still takes (allowMultiplePinVerifications) still shows; single
    // use (the default), it is gone, and verifying again takes a new code.
    const reused =
      this.problem === 'tokenExpired' && Date.now() < this.#expiresAt
        ? await verification.client.getPin(session.pinId).catch(() => undefined)
        : undefined
    if (reused) {
      this.begin(reused)
      this.resume()
    } else if (this.problem) {
      refusal = await verification.send(session.phoneNumber)
    } else {
      refusal = await verification.resend()
      // The code is gone after all (expired, used up): send a new one.
      if (refusal?.code === 'PIN_NOT_FOUND') {
        await this.fail(this.deadEnd())
        return this.#resendCode()
      }
    }
    if (!refusal) return host.updateComplete.then(() => host.focus())
    ;(await loadSetbacks()).resendRefused(this, refusal, this.#length, (seconds) =>
      this.#resend.start(seconds),
    )
  }

  #renderSlots() {
    const length = this.#length
    // The slot the next character goes in; CSS rings it while the input has focus.
    const active = Math.min(this.text.length, length - 1)
    return Array.from({ length }, (_, index) => {
      const char = this.text[index] ?? ''
      const parts = `pin-slot${index === active ? ' pin-slot-active' : ''}${char ? ' pin-slot-filled' : ''}`
      return html`<span class="slot" part=${parts}>${char}</span>`
    })
  }

  render() {
    const host = this.host
    const verification = this.#verification
    const t = host.t
    const numeric = this.#type === 'NUMERIC'
    const error = verification.waitSeconds
      ? setbacks?.waitText(host, verification.waitSeconds, verification.waitLimit)
      : this.error?.(t)
    const [sentBefore, sentAfter = ''] = t.codeSent.split('{to}')
    const hint = fill(numeric ? t.pinHint : t.pinHintText, { length: this.#length })
    const resend =
      this.resendSeconds > 0
        ? html`<p class="hint" part="hint">${this.resendWait()}</p>`
        : html`<button type="button" class="link" part="link" @click=${() => this.#resendCode()}>
            ${this.problem === 'tokenExpired' ? t.verifyAgain : t.resend}
          </button>`
    return html`<form
      class="step"
      novalidate
      @submit=${(event: Event) => {
        event.preventDefault()
        void this.verify()
      }}
    >
      <p class="sent">
        <span>${sentBefore}<bdi dir="ltr">${verification.number}</bdi>${sentAfter}</span>
        <button type="button" class="link" part="link" @click=${() => verification.changeNumber()}>
          ${t.changeNumber}
        </button>
      </p>
      ${
        this.problem
          ? // Until (or unless, offline) the setbacks' chunk has loaded: what happened, in words.
            (setbacks?.render(this, error, verification.captchaNeeded, resend) ??
            html`<p class="error" part="error">
              ${t[this.problem === 'notDelivered' ? 'unusable' : this.problem]}
            </p>`)
          : html`<label for="pin" part="label">${t.pinLabel}</label>
              <div class=${this.error ? 'pin invalid' : 'pin'} part="pin-field">
                <div class="slots" aria-hidden="true">${this.#renderSlots()}</div>
                <input
                  id="pin"
                  autocomplete="one-time-code"
                  inputmode=${numeric ? 'numeric' : 'text'}
                  autocapitalize=${numeric ? 'off' : 'characters'}
                  spellcheck="false"
                  enterkeyhint="done"
                  .value=${this.text}
                  ?readonly=${verification.busy}
                  aria-busy=${verification.busy}
                  aria-describedby=${error ? 'pin-hint pin-error' : 'pin-hint'}
                  aria-invalid=${!!this.error}
                  @input=${this.#onInput}
                />
              </div>
              <p id="pin-hint" class="hint" part="hint">${verification.busy ? t.verifying : hint}</p>
              ${error ? html`<p id="pin-error" class="error" part="error">${error}</p>` : nothing} ${resend}`
      }
    </form>`
  }
}
