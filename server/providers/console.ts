/**
 * The embedded default SMS provider for development: it "sends" by printing the SMS and keeping it
 * in an outbox, which the demo shows at /dev/inbox. It has no number lookup and no delivery reports:
 * every message counts as delivered.
 */
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
   * @default console.info
   */
  print?: ((line: string) => void) | null
  /** Messages kept in `outbox` (oldest dropped first). @default 100 */
  outboxSize?: number
}

export interface ConsoleProvider extends SmsProvider {
  /** The messages "sent", oldest first. */
  readonly outbox: readonly ConsoleOutboxEntry[]
}

export function consoleProvider(options: ConsoleProviderOptions = {}): ConsoleProvider {
  const print = options.print === undefined ? (line: string) => console.info(line) : options.print
  const outboxSize = options.outboxSize ?? 100
  if (!Number.isInteger(outboxSize) || outboxSize < 1)
    throw new TypeError('consoleProvider: "outboxSize" must be a positive integer')
  const outbox: ConsoleOutboxEntry[] = []
  let sequence = 0

  return {
    name: 'console',
    outbox,
    async send(message) {
      const messageId = `console-${Date.now().toString(36)}-${(++sequence).toString(36)}`
      outbox.push({ to: message.to, text: message.text, at: new Date().toISOString(), messageId })
      if (outbox.length > outboxSize) outbox.splice(0, outbox.length - outboxSize)
      print?.(
        `[two-factor-kit] SMS to ${message.to}${message.from ? ` from ${message.from}` : ''}: ${message.text}`,
      )
      return { messageId, status: 'DELIVERED', provider: 'console' }
    },
  }
}
