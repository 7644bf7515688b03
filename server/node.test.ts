// The Node entry: configuration from the environment, and the client IP from trusted hops only.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import {
  clientIpFromProxyHops,
  ConfigurationError,
  generateSigningKey,
  memoryStore,
  optionsFromEnv,
  twoFactor,
} from './node.js'

const quiet = { info() {}, warn() {}, error() {} }

function ipSeenBy(hops: number, forwardedFor?: string) {
  const app = new Hono()
  app.get('/', (c) => c.text(clientIpFromProxyHops(hops)(c) ?? 'none'))
  const headers: Record<string, string> = forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}
  return app.request(
    '/',
    { headers },
    { incoming: { socket: { remoteAddress: '10.0.0.2', remotePort: 5555, remoteFamily: 'IPv4' } } },
  )
}

describe('clientIpFromProxyHops', () => {
  it('without trusted proxies uses the socket address and ignores X-Forwarded-For', async () => {
    expect(await (await ipSeenBy(0, '6.6.6.6')).text()).toBe('10.0.0.2')
  })

  it('behind one proxy takes the entry that proxy appended; a spoofed prefix cannot move the bucket', async () => {
    expect(await (await ipSeenBy(1, '203.0.113.9')).text()).toBe('203.0.113.9')
    expect(await (await ipSeenBy(1, '6.6.6.6, 203.0.113.9')).text()).toBe('203.0.113.9')
    expect(await (await ipSeenBy(2, '6.6.6.6, 203.0.113.9, 10.0.0.1')).text()).toBe('203.0.113.9')
  })

  it('falls back to the socket when the header is shorter than the trusted chain', async () => {
    expect(await (await ipSeenBy(2, '203.0.113.9')).text()).toBe('10.0.0.2')
  })

  it('reads the connection address on Bun (server.requestIP) and Deno (info.remoteAddr) too, where the entry also runs', async () => {
    const app = new Hono()
    app.get('/', (c) => c.text(clientIpFromProxyHops(0)(c) ?? 'none'))
    // What Bun.serve({ fetch: app.fetch }) and Deno.serve(app.fetch) hand to Hono as c.env.
    const bun = { requestIP: () => ({ address: '10.0.0.3', family: 'IPv4', port: 5555 }) }
    const deno = { remoteAddr: { hostname: '10.0.0.4', port: 5555, transport: 'tcp' } }
    expect(await (await app.request('/', {}, bun)).text()).toBe('10.0.0.3')
    expect(await (await app.request('/', {}, deno)).text()).toBe('10.0.0.4')
    expect(await (await app.request('/', {}, {})).text()).toBe('none')
  })
})

describe('optionsFromEnv', () => {
  it('reads test numbers, limits and countries', () => {
    const options = optionsFromEnv({
      TWO_FACTOR_TEST_NUMBERS: '+15005550006=123456, +385911234567=654321',
      TWO_FACTOR_ALLOWED_COUNTRIES: 'hr,de',
      TWO_FACTOR_RESEND_COOLDOWN: '45s',
    })
    expect(options).toMatchObject({
      environment: 'development',
      testNumbers: { '+15005550006': '123456', '+385911234567': '654321' },
      allowedCountries: ['HR', 'DE'],
      resendCooldown: '45s',
    })
  })

  it('NODE_ENV=production with no keys refuses to start; test numbers need an explicit yes', () => {
    expect(() => twoFactor({ NODE_ENV: 'production' })).toThrow(/"secret" is required in production/)
    expect(() => optionsFromEnv({ TWO_FACTOR_TEST_NUMBERS: '+15005550006' })).toThrow(
      /TWO_FACTOR_TEST_NUMBERS/,
    )
  })

  it('a development server works with no configuration at all', async () => {
    const app = twoFactor({}, { logger: { info() {}, warn() {}, error() {} } })
    await app.ready
    expect((await app.request('/config')).status).toBe(200)
  })
})

describe('NODE_ENV=production', () => {
  // `openssl rand -base64 32`
  const secret = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
  async function productionEnv(extra: Record<string, string> = {}) {
    return {
      NODE_ENV: 'production',
      TWO_FACTOR_SECRET: secret,
      TWO_FACTOR_PRIVATE_JWK: JSON.stringify(await generateSigningKey()),
      TWO_FACTOR_ISSUER: 'https://shop.example',
      TWO_FACTOR_AUDIENCE: 'shop.example',
      TWO_FACTOR_ALLOWED_COUNTRIES: 'HR,DE',
      ...extra,
    }
  }

  it('with no SMS_PROVIDER refuses to start, naming SMS_PROVIDER (the console provider sends nothing)', async () => {
    const env = await productionEnv()
    expect(() => twoFactor(env, { logger: quiet })).toThrow(ConfigurationError)
    expect(() => twoFactor(env, { logger: quiet })).toThrow(/SMS_PROVIDER/)
  })

  it('SMS_PROVIDER=console needs TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION=true, and then logs no PIN', async () => {
    const env = await productionEnv({ SMS_PROVIDER: 'console' })
    expect(() => twoFactor(env, { logger: quiet })).toThrow(/TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION/)
    // The console provider prints each SMS through the kit's logger: one line per SMS.
    const lines: string[] = []
    const line = (fields: object | string, message?: string) =>
      lines.push(`${message} ${JSON.stringify(fields)}`)
    const logger = { info: line, warn: line, error: line }
    const app = twoFactor({ ...env, TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true' }, { logger })
    await app.ready
    const response = await app.request('/pin', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+385911234567' }),
    })
    expect(response.status).toBe(201)
    const printed = lines.filter((text) => text.includes('SMS to'))
    expect(printed).toHaveLength(1)
    expect(printed[0]).not.toMatch(/\d{6}/)
    expect(printed[0]).not.toContain('911234567')
  })
})

describe('NODE_ENV=production refuses weak settings, naming the variable', () => {
  const secret = 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0='
  async function env(extra: Record<string, string>) {
    return {
      NODE_ENV: 'production',
      SMS_PROVIDER: 'console',
      TWO_FACTOR_ALLOW_CONSOLE_SMS_IN_PRODUCTION: 'true',
      TWO_FACTOR_SECRET: secret,
      TWO_FACTOR_PRIVATE_JWK: JSON.stringify(await generateSigningKey()),
      TWO_FACTOR_ISSUER: 'https://shop.example',
      TWO_FACTOR_AUDIENCE: 'shop.example',
      TWO_FACTOR_ALLOWED_COUNTRIES: 'HR,DE',
      ...extra,
    }
  }

  it.each([
    [{ TWO_FACTOR_SECRET: 'changeme-changeme-changeme-changeme' }, /TWO_FACTOR_SECRET/],
    [{ TWO_FACTOR_SECRET: '0123456789abcdef0123456789abcdef' }, /TWO_FACTOR_SECRET/],
    [{ TWO_FACTOR_PIN_LENGTH: '4', TWO_FACTOR_PIN_ATTEMPTS: '100' }, /TWO_FACTOR_PIN_LENGTH/],
    [{ TWO_FACTOR_PIN_TTL: '365d' }, /TWO_FACTOR_PIN_TTL/],
    [{ TWO_FACTOR_SEND_PER_APPLICATION_LIMIT: '1000000/1s' }, /TWO_FACTOR_SEND_PER_APPLICATION_LIMIT/],
  ])('%j', async (extra, variable) => {
    const vars = await env(extra)
    expect(() => twoFactor(vars, { logger: quiet })).toThrow(variable)
    expect(() => twoFactor({ ...vars, NODE_ENV: 'development' }, { logger: quiet })).not.toThrow()
  })

  it('TWO_FACTOR_ALLOW_LONG_PIN_TTL=true lets a PIN live 30 minutes', async () => {
    const vars = await env({ TWO_FACTOR_PIN_TTL: '30m' })
    expect(() => twoFactor(vars, { logger: quiet })).toThrow(/TWO_FACTOR_ALLOW_LONG_PIN_TTL/)
    const app = twoFactor({ ...vars, TWO_FACTOR_ALLOW_LONG_PIN_TTL: 'true' }, { logger: quiet })
    expect(app.config.pinTtlMs).toBe(30 * 60_000)
  })
})

describe('twoFactor(env, overrides)', () => {
  it('takes the environment first and the options second, like the Workers entry', async () => {
    const app = twoFactor({ TWO_FACTOR_APP_NAME: 'Shop' }, { issuer: 'https://shop.example', logger: quiet })
    await app.ready
    expect(app.config.issuer).toBe('https://shop.example')
  })

  it.each([
    ['string options', { issuer: 'https://shop.example', audience: 'shop.example' }, /"issuer"/],
    ['a store', { store: memoryStore() }, /"store"/],
  ])('refuses options passed where the environment belongs (%s), naming the option', (_, first, named) => {
    expect(() => twoFactor(first as never)).toThrow(ConfigurationError)
    expect(() => twoFactor(first as never)).toThrow(named)
  })
})
