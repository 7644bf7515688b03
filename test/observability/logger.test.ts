// The kit logs pino's way: fields first, the message second, errors as objects under `err` — so a
// pino logger keeps the error with its stack. Checked with a double that records what pino would get.
import { describe, expect, it } from 'vitest'
import {
  consoleLogger,
  memoryStore,
  ProviderError,
  StoreError,
  twoFactor,
  type TwoFactorStore,
} from '../../server/index.js'
import { widgetRoutes } from '../../server/http/widget-routes.js'
import { twoFactor as nodeTwoFactor } from '../../server/node.js'
import { MOBILE_HR } from '../helpers/kit.js'

interface LogCall {
  level: 'info' | 'warn' | 'error'
  fields: Record<string, unknown>
  message: string | undefined
}

/** Records `(mergingObject, message)` calls, as pino takes them. */
function pinoDouble() {
  const calls: LogCall[] = []
  const at = (level: LogCall['level']) => (fields: object | string, message?: string) => {
    if (typeof fields === 'string') throw new Error(`a lone message reached the logger: ${fields}`)
    calls.push({ level, fields: fields as Record<string, unknown>, message })
  }
  return { calls, logger: { info: at('info'), warn: at('warn'), error: at('error') } }
}

const send = (app: ReturnType<typeof twoFactor>) =>
  app.request('/pin', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ phoneNumber: MOBILE_HR }),
  })

describe('the logger, pino-compatible', () => {
  it('a provider failure arrives as an error object with its stack, on the sms.failed line', async () => {
    const { calls, logger } = pinoDouble()
    const app = twoFactor({
      environment: 'development',
      logger,
      providerRetries: 0,
      sms: {
        name: 'down',
        async send() {
          throw new ProviderError('transient', 'down', 'down answered 503', { httpStatus: 503 })
        },
      },
    })
    expect((await send(app)).status).toBe(502)
    const failed = calls.filter((call) => call.message === 'sms.failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]!.level).toBe('warn')
    const err = failed[0]!.fields.err as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toContain('No SMS provider accepted the message')
    expect(err.stack).toMatch(/\n\s+at /)
    expect(failed[0]!.fields.event).toMatchObject({ type: 'sms.failed', provider: 'down' })
  })

  it('a store failure arrives as an error object with its stack', async () => {
    const { calls, logger } = pinoDouble()
    const store = memoryStore()
    const broken: TwoFactorStore = {
      ...store,
      async createPin() {
        throw new StoreError('memoryStore createPin failed', { cause: new Error('connection reset by peer') })
      },
    }
    const app = twoFactor({
      environment: 'development',
      logger,
      store: broken,
      sms: { name: 'ok', send: async () => ({ messageId: 'm', status: 'ACCEPTED', provider: 'ok' }) },
    })
    expect((await send(app)).status).toBe(503)
    const [unavailable] = calls.filter((call) => call.message === 'store unavailable')
    expect(unavailable?.level).toBe('error')
    const err = unavailable!.fields.err as Error
    expect(err).toBeInstanceOf(Error)
    expect(err.stack).toMatch(/\n\s+at /)
    expect(String((err as Error & { cause?: Error }).cause)).toContain('connection reset by peer')
  })

  it("the console provider prints each SMS through the kit's logger, and nothing else reaches it as a lone string", async () => {
    const { calls, logger } = pinoDouble()
    const app = twoFactor({ environment: 'development', logger })
    expect((await send(app)).status).toBe(201)
    expect(calls.filter((call) => call.message?.startsWith('SMS to '))).toMatchObject([
      { level: 'info', fields: { provider: 'console' } },
    ])
    expect(calls.filter((call) => call.message === 'pin.sent')).toHaveLength(1)
  })

  it("a console provider made without a logger (the Node entry's, from SMS_PROVIDER) prints through the kit's", async () => {
    const { calls, logger } = pinoDouble()
    const app = nodeTwoFactor({ NODE_ENV: 'development' }, { logger })
    expect((await send(app)).status).toBe(201)
    expect(calls.filter((call) => call.message?.startsWith('SMS to '))).toMatchObject([
      { level: 'info', fields: { provider: 'console' } },
    ])
  })

  it('the widget routes log a script they cannot read through the logger, with the error', async () => {
    const { calls, logger } = pinoDouble()
    const routes = widgetRoutes({
      loadScript: async () => {
        throw new Error('dist/widget is missing')
      },
      version: '1.0.0',
      allowedCountries: null,
      logger,
    })
    expect((await routes.request('/widget.js')).status).toBe(500)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.level).toBe('error')
    expect((calls[0]!.fields.err as Error).message).toBe('dist/widget is missing')
  })

  it('the default logger prints readable lines: the message, compact fields, and an error with its stack', () => {
    const lines: string[] = []
    const output = {
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    }
    const logger = consoleLogger(output)
    logger.warn({ provider: 'down', attempts: 2 }, 'sms.failed')
    logger.error({ err: new Error('boom') }, 'store unavailable')
    expect(lines[0]).toBe('[two-factor-kit] sms.failed {"provider":"down","attempts":2}')
    expect(lines[1]).toMatch(/^\[two-factor-kit\] store unavailable\nError: boom\n\s+at /)
  })
})
