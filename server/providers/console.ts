/**
 * The embedded default SMS provider for development: it "sends" by printing the SMS and keeping it
 * in an outbox, which the demo shows at /dev/inbox. It has no number lookup and no delivery reports:
 * every message counts as delivered.
 */
import { ConfigurationError } from '../core/errors.js'
import { consoleLogger, type Logger } from '../core/log.js'
import { maskE164 } from '../core/phone.js'
import type { SmsProvider } from './types.js'

export interface ConsoleOutboxEntry {
  to: string
  text: string
  /** ISO-8601 */
  at: string
  messageId: string
}

export interface ConsoleProviderOptions {
  /**
   * Where the SMS are printed; `null` prints nothing.
   * @default the logger's `info`, with the provider and the (masked) number as fields
   */
  print?: ((line: string) => void) | null
  /**
   * Where the SMS are printed when `print` isn't given.
   * @default the kit's `logger` once `twoFactor()` hands it over (`useLogger`); until then, and
   * outside a kit, readable lines on the console
   */
  logger?: Logger
  /** Messages kept in `outbox` (oldest dropped first). @default 100 */
  outboxSize?: number
  /**
   * Keep the text (and so the PIN) and the full number out of the printed line and the outbox:
   * required in production, where `twoFactor()` refuses a console provider without it. The entries
   * set it themselves when they make the provider.
   * @default false
   */
  maskPins?: boolean
}

export interface ConsoleProvider extends SmsProvider {
  /** The messages "sent", oldest first. */
  readonly outbox: readonly ConsoleOutboxEntry[]
  /** Whether texts and numbers are withheld (`maskPins`). */
  readonly masksPins: boolean
}

export function consoleProvider(options: ConsoleProviderOptions = {}): ConsoleProvider {
  let logger = options.logger ?? consoleLogger()
  const outboxSize = options.outboxSize ?? 100
  if (!Number.isInteger(outboxSize) || outboxSize < 1)
    throw new ConfigurationError('consoleProvider: "outboxSize" must be a positive integer')
  const masksPins = options.maskPins === true
  const outbox: ConsoleOutboxEntry[] = []
  let sequence = 0

  return {
    name: 'console',
    outbox,
    masksPins,
    useLogger(kitLogger) {
      if (!options.logger) logger = kitLogger
    },
    async send(message) {
      const messageId = `console-${Date.now().toString(36)}-${(++sequence).toString(36)}`
      // The text holds the PIN, whatever its alphabet: withheld whole, not searched for digits.
      const to = masksPins ? maskE164(message.to) : message.to
      const text = masksPins ? `(${message.text.length} characters withheld)` : message.text
      outbox.push({ to, text, at: new Date().toISOString(), messageId })
      if (outbox.length > outboxSize) outbox.splice(0, outbox.length - outboxSize)
      const line = `SMS to ${to}${message.from ? ` from ${message.from}` : ''}: ${text}`
      if (options.print === undefined) logger.info({ provider: 'console', to }, line)
      else options.print?.(`[two-factor-kit] ${line}`)
      return { messageId, status: 'DELIVERED', provider: 'console' }
    },
  }
}
