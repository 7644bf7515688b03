/**
 * Setbacks: what the widget says and does when the server refuses a step or a code reaches a dead
 * end. They are rare, so this is a chunk of its own, loaded on the first one (`loadSetbacks` in
 * `messages.ts`). Like every lazy chunk it imports types only, so it shares no code with the entry:
 * the entry hands it Lit's `html` and its wording helpers.
 */
import type { html, nothing, TemplateResult } from 'lit'
import type { ApiError } from './api-client.js'
import type { Countdown } from './countdown.js'
import type { EntryStrings, fill, formatWait, Strings } from './i18n.js'
import type { Message } from './messages.js'
import english from './setback-words.js'
import type { PinProblem } from './steps/pin-step.js'
import type { Verification, WidgetHost } from './verification.js'

/** What the chunk borrows from the entry instead of importing it. */
export interface SetbackKit {
  html: typeof html
  nothing: typeof nothing
  fill: typeof fill
  formatWait: typeof formatWait
  Countdown: typeof Countdown
}

/** What a dead end needs of the PIN step. */
export interface DeadEndStep {
  readonly host: WidgetHost
  readonly problem: PinProblem | undefined
  readonly resendSeconds: number
  /** The number the code went to, as the person typed it. */
  readonly number: string
  /** Why and how long until a new code can be asked for (`long`: for the live region). */
  resendWait(long?: boolean): string
}

/** What a refusal needs of the PIN step. */
export interface PinSetbackStep extends DeadEndStep {
  text: string
  error: Message | undefined
  /** The server's name of the limit a refused resend waits for. */
  resendLimit: unknown
  fail(problem: PinProblem): Promise<void>
  /** Why the server no longer takes the code, as far as the step can tell. */
  deadEnd(): PinProblem
  verify(): Promise<void>
}

const messageKeys = {
  NUMBER_TYPE_NOT_ALLOWED: 'numberTypeNotAllowed',
  NUMBER_NOT_REACHABLE: 'notReachable',
  SMS_NOT_SENT: 'smsNotSent',
  NETWORK_ERROR: 'network',
  CAPTCHA_INCOMPLETE: 'captchaRequired',
  CAPTCHA_REQUIRED: 'captchaFailed',
  CAPTCHA_FAILED: 'captchaFailed',
  // CAPTCHA_UNAVAILABLE, like STORE_UNAVAILABLE: `unavailable`.
} as const satisfies Partial<Record<ApiError['code'], keyof Strings>>

/**
 * SEND_BLOCKED's `reason`s, each said in the person's terms (never "budget" or "conversion") by the
 * string named after it: COUNTRY_NOT_ALLOWED by `countryNotAllowed`, and so on (a lookup by rule,
 * not a table of the reasons' names). A reason added to the server later gets `sendBlocked`.
 */
const blockKeys = [
  'countryNotAllowed',
  'highRiskDestination',
  'rangeVelocity',
  'lowConversion',
  'spendCeiling',
] as const satisfies readonly (keyof Strings)[]

function blockKey(
  reason: unknown,
  retryAfter: number,
): (typeof blockKeys)[number] | 'rangeVelocityLater' | 'sendBlocked' {
  const key = blockKeys.find((key) => key.replace(/[A-Z]/g, '_$&').toUpperCase() === reason)
  // The wait is the person's next step; without one, "later".
  return key === 'rangeVelocity' && !retryAfter ? 'rangeVelocityLater' : (key ?? 'sendBlocked')
}

/** The words in the widget's language, English filling in what neither it nor the page says. */
const words = (t: EntryStrings) => ({ ...english, ...t }) as Strings

export function setbacks({ html, nothing, fill, formatWait, Countdown }: SetbackKit) {
  /** What happened; each problem is named after its string, and only "not delivered" says where to. */
  function problemText(step: DeadEndStep): string {
    const t = words(step.host.t)
    const problem = step.problem ?? 'expired'
    return problem === 'notDelivered' ? fill(t.notDelivered, { to: step.number }) : t[problem]
  }

  /** Puts the keyboard on the way forward: the code, else a new one, else another number. */
  async function focusWayForward(host: WidgetHost): Promise<void> {
    await host.updateComplete
    const root = host.renderRoot
    ;(
      root.querySelector<HTMLElement>('#pin, .problem button') ??
      root.querySelector<HTMLElement>('.sent button')
    )?.focus()
  }

  /**
   * A rate limit's wait: why and when, in words (`long`: units in full, for the live region). The
   * server's `limit` says which; a send limit is explained by the string named after it (none for
   * `resendCooldown`, the usual wait between codes).
   */
  function waitText(host: WidgetHost, seconds: number, limit: unknown, long?: boolean): string {
    const t = words(host.t)
    const time = formatWait(host.language, seconds, long, t)
    if (!limit || limit === 'verifyPin') return fill(t.rateLimited, { time })
    const why = t[String(limit) as keyof Strings]
    return (typeof why == 'string' ? `${why} ` : '') + fill(t.resendIn, { time })
  }

  /**
   * A refusal in words. Either step can meet most; PHONE_NUMBER_INVALID is worded by the entry,
   * which knows the length problems. The host's language is read when the message is shown, for
   * the wait or the plural it may word.
   */
  function refusalMessage(error: ApiError, host: { readonly language: string }, pinLength: number): Message {
    const { code, retryAfter = 0, details } = error
    const left = Number(details.attemptsRemaining)
    if (code === 'WRONG_PIN') {
      return (entryWords) => {
        const t = words(entryWords)
        if (!Number.isFinite(left)) return t.wrongPin
        const forms = t.attemptsLeft
        const form = forms[new Intl.PluralRules(host.language).select(left)] ?? forms.other
        return `${t.wrongPin} ${fill(form, { n: left })}`
      }
    }
    if (code === 'PIN_FORMAT_INVALID') return (t) => fill(words(t).pinFormat, { length: pinLength })
    const key =
      code === 'SEND_BLOCKED'
        ? blockKey(details.reason, retryAfter)
        : code === 'CAPTCHA_REQUIRED' && details.reason === 'LOW_CONVERSION'
          ? 'captchaEscalated' // sent without a token in 'escalated' mode; the challenge shows now
          : (messageKeys[code as keyof typeof messageKeys] ?? 'unavailable')
    return (t) => fill(words(t)[key], { time: formatWait(host.language, retryAfter) })
  }

  return {
    focusWayForward,
    waitText,
    refusalMessage,

    /**
     * A refused code: a dead end, a wait after which the code is checked by itself, or a message
     * by the input, whose text is selected for typing over.
     */
    async codeRefused(step: PinSetbackStep, error: ApiError, pinLength: number, verification: Verification) {
      const host = step.host
      const left = Number(error.details.attemptsRemaining)
      if (error.code === 'WRONG_PIN' && left === 0) return step.fail('locked')
      if (error.code === 'PIN_NOT_FOUND') return step.fail(step.deadEnd())
      if (error.code === 'RATE_LIMITED') {
        step.error = undefined
        return verification.wait(error.retryAfter ?? 1, () => void step.verify(), error.details.limit)
      }
      if (error.code === 'WRONG_PIN') step.text = ''
      step.error = refusalMessage(error, host, pinLength)
      host.announce(step.error(host.t))
      await host.updateComplete
      host.renderRoot.querySelector<HTMLInputElement>('#pin')?.select()
    },

    /**
     * A refused resend: a wait (`countDown` shows it; said, and the keyboard moves on from the
     * link that gave way to it) or a message.
     */
    resendRefused(
      step: PinSetbackStep,
      refusal: ApiError,
      pinLength: number,
      countDown: (seconds: number) => void,
    ): void {
      const host = step.host
      if (refusal.code === 'RATE_LIMITED') {
        step.resendLimit = refusal.details.limit
        countDown(refusal.retryAfter ?? 1)
        host.announce(step.resendWait(true))
        void focusWayForward(host)
      } else {
        step.error = refusalMessage(refusal, host, pinLength)
        host.announce(step.error(host.t))
      }
      host.requestUpdate()
    },

    /**
     * Holds the step for `seconds`: `tick` has the seconds left, and at the end the live region
     * says so and `resume` runs. Stopping the returned countdown drops the wait and `resume`.
     */
    wait(
      host: WidgetHost,
      seconds: number,
      limit: unknown,
      tick: (left: number) => void,
      resume: () => void,
    ) {
      const countdown = new Countdown((left) => {
        tick(left)
        if (!left) {
          host.announce(words(host.t).canRetry)
          resume()
        }
      })
      countdown.start(seconds)
      host.announce(waitText(host, seconds, limit, true))
      return countdown
    },

    /**
     * Says a dead end that was just shown — what happened, and the wait when the way forward is
     * one — and puts the keyboard on the way forward if it was in the widget (a token that expires
     * while the person fills in the rest of the form leaves their focus alone).
     */
    async deadEnd(step: DeadEndStep, focused: boolean): Promise<void> {
      const text = problemText(step)
      step.host.announce(step.resendSeconds ? `${text} ${step.resendWait(true)}` : text)
      if (focused) await focusWayForward(step.host)
    },

    /** The dead end in place of the code input, with the ways forward. */
    render(
      step: DeadEndStep,
      error: string | undefined,
      captchaNeeded: boolean,
      resend: unknown,
    ): TemplateResult {
      return html`<div class="problem">
        <p class="error" part="error">${problemText(step)}</p>
        ${error ? html`<p class="error" part="error">${error}</p>` : nothing}
        ${
          // A new code needs the security check again: it shows here too, next to its button.
          captchaNeeded ? html`<div part="captcha"><slot name="captcha"></slot></div>` : nothing
        }
        ${resend}
      </div>`
    },
  }
}

export type Setbacks = ReturnType<typeof setbacks>
