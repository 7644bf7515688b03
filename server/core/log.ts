/**
 * The kit's logger: pino's call style, fields first and the message second
 * (`logger.warn({ err, provider }, 'sms.failed')`), so pino, bunyan-style and console-backed loggers
 * all keep the error object with its stack. Every log call of the kit passes fields first; a lone
 * message (which pino takes too) is allowed for callers that have no fields.
 */
export interface Logger {
  info(fields: object | string, message?: string): void
  warn(fields: object | string, message?: string): void
  error(fields: object | string, message?: string): void
}

type Level = keyof Logger

/** An error as plain, readable text: its stack when it has one (which starts with the message). */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return String(error)
}

/**
 * The default logger: readable lines on the console, `[two-factor-kit] message {compact fields}`,
 * and an `err` field printed after them with its stack.
 */
export function consoleLogger(output: Pick<Console, Level> = console): Logger {
  const write = (level: Level) => (fields: object | string, message?: string) => {
    if (typeof fields === 'string') [fields, message] = [{}, fields]
    const { err, ...rest } = (fields ?? {}) as { err?: unknown } & Record<string, unknown>
    const compact = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : ''
    const line = `[two-factor-kit] ${message ?? ''}${compact}`
    output[level](err === undefined ? line : `${line}\n${describeError(err)}`)
  }
  return { info: write('info'), warn: write('warn'), error: write('error') }
}
