// The admin API exists only with TWO_FACTOR_ADMIN_TOKEN, answers only the right bearer token
// (401 with the envelope otherwise), never answers cross-origin, and lets the operator see and
// steer the policies: blocks, the allow-list, spend, health.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../server/core/errors.js'
import { memoryStore } from '../../server/stores/memory.js'
import type { TwoFactorStore } from '../../server/stores/types.js'
import { generateSigningKey, twoFactor, type TwoFactorInit } from '../../server/index.js'
import { errorOf, makeKit } from '../helpers/kit.js'

// `openssl rand -base64 32`
const ADMIN_TOKEN = 'Xq3v9Lr7Tz1Wb5Nc8Hd2Jf6Kg4Mp0Ys+QeRaUoViAs='

function adminKit(overrides: TwoFactorInit = {}) {
  const kit = makeKit({ adminToken: ADMIN_TOKEN, sendPinPerIpLimit: '1000/1h', ...overrides })
  const admin = (path: string, init: RequestInit = {}, token = ADMIN_TOKEN) =>
    kit.app.request(`/admin${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    })
  return { ...kit, admin }
}

describe('the admin API: who may use it', () => {
  it('without an admin token the admin routes do not exist: 404 NOT_FOUND, as for any unknown path', async () => {
    const kit = makeKit()
    for (const path of ['/admin/summary', '/admin/metrics', '/admin/blocks', '/admin/']) {
      const response = await kit.app.request(path, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(response.status).toBe(404)
      expect((await errorOf(response)).code).toBe('NOT_FOUND')
    }
  })

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token of the same length', `Bearer ${ADMIN_TOKEN.replace(/^X/, 'Y')}`],
    ['the token without "Bearer "', ADMIN_TOKEN],
    ['a prefix of the token', `Bearer ${ADMIN_TOKEN.slice(0, 20)}`],
    ['the token with more after it', `Bearer ${ADMIN_TOKEN}x`],
    ['Basic credentials', `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`],
  ])('%s → 401 ADMIN_UNAUTHORIZED with the envelope, on every admin route', async (_, header) => {
    const kit = adminKit()
    for (const [method, path] of [
      ['GET', '/admin/summary'],
      ['GET', '/admin/metrics'],
      ['GET', '/admin/blocks'],
      ['DELETE', '/admin/blocks/range%3A385911234'],
      ['POST', '/admin/allow-list'],
      ['GET', '/admin/spend'],
      ['GET', '/admin/verifications?phoneNumber=%2B385911234567'],
    ] as const) {
      const response = await kit.app.request(path, {
        method,
        headers: header ? { Authorization: header } : {},
      })
      expect(response.status).toBe(401)
      expect(await errorOf(response)).toStrictEqual({
        code: 'ADMIN_UNAUTHORIZED',
        message: expect.any(String),
      })
    }
  })

  it('never answers cross-origin: no CORS headers on admin routes (preflight or not), while /config keeps them', async () => {
    const kit = adminKit({ allowedOrigins: ['https://shop.example'] })
    const origin = { Origin: 'https://shop.example' }
    const preflight = await kit.app.request('/admin/blocks', {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'Access-Control-Request-Method': 'DELETE',
        'Access-Control-Request-Headers': 'authorization',
      },
    })
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toBeNull()
    const read = await kit.admin('/blocks', { headers: origin })
    expect(read.status).toBe(200)
    expect(read.headers.get('Access-Control-Allow-Origin')).toBeNull()
    const config = await kit.app.request('/config', { headers: origin })
    expect(config.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example')
  })

  it('a short or placeholder admin token stops start-up, naming TWO_FACTOR_ADMIN_TOKEN', async () => {
    const signingKey = await generateSigningKey()
    expect(() => makeKit({ adminToken: 'too-short' })).toThrow(/TWO_FACTOR_ADMIN_TOKEN/)
    expect(() => makeKit({ adminToken: 'a'.repeat(40) })).toThrow(/TWO_FACTOR_ADMIN_TOKEN/)
    expect(() =>
      twoFactor({
        environment: 'production',
        secret: 'k3Q9vX2mR7pL0wZ8tY5nB1cF6hJ4gD2sA9eU7iO3xV0=',
        signingKey,
        issuer: 'i',
        audience: 'a',
        allowedCountries: ['HR'],
        allowConsoleSmsInProduction: true,
        adminToken: 'changeme-changeme-changeme-changeme-1234',
      }),
    ).toThrow(/TWO_FACTOR_ADMIN_TOKEN/)
  })
})

describe('the admin API: steering the policies', () => {
  it('lists the blocks with their reasons and lifts one (DELETE /admin/blocks/:scope)', async () => {
    const kit = adminKit({ sendPinPerRangeLimit: '1/1h' })
    await kit.post('/pin', { phoneNumber: '+385911234501' })
    expect((await kit.post('/pin', { phoneNumber: '+385911234502' })).status).toBe(403)
    const { blocks } = (await (await kit.admin('/blocks')).json()) as { blocks: Record<string, unknown>[] }
    expect(blocks).toStrictEqual([
      {
        scope: 'range:385911234',
        reason: 'RANGE_VELOCITY',
        action: 'block',
        level: 1,
        since: kit.clock.now(),
        until: kit.clock.now() + 15 * 60_000,
      },
    ])
    const lifted = await kit.admin(`/blocks/${encodeURIComponent('range:385911234')}`, { method: 'DELETE' })
    expect(await lifted.json()).toStrictEqual({ scope: 'range:385911234', lifted: true })
    expect(await (await kit.admin('/blocks')).json()).toStrictEqual({ blocks: [] })
  })

  it('adds, lists and removes allow-list entries; a malformed entry is 400 INVALID_REQUEST', async () => {
    const kit = adminKit({ allowList: ['+385911234567'] })
    const added = await kit.admin('/allow-list', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entry: '+385985555xxx', note: 'office' }),
    })
    expect(added.status).toBe(201)
    expect(await (await kit.admin('/allow-list')).json()).toStrictEqual({
      entries: [
        { entry: '+385911234567', source: 'options' },
        { entry: '+385985555xxx', source: 'store', note: 'office', addedAt: kit.clock.now() },
      ],
    })
    const bad = await kit.admin('/allow-list', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entry: '385 98 555' }),
    })
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).code).toBe('INVALID_REQUEST')
    const removed = await kit.admin(`/allow-list/${encodeURIComponent('+385985555xxx')}`, {
      method: 'DELETE',
    })
    expect(await removed.json()).toStrictEqual({ entry: '+385985555xxx', removed: true })
  })

  it("reports a day's spend against the ceilings", async () => {
    const kit = adminKit({ smsPrices: { HR: 0.5 }, dailySpendLimitPerCountry: { '*': 20, HR: 10 } })
    await kit.post('/pin', { phoneNumber: '+385911234567' })
    await kit.post('/pin', { phoneNumber: '+385921234567' })
    expect(await (await kit.admin('/spend')).json()).toStrictEqual({
      day: new Date(kit.clock.now()).toISOString().slice(0, 10),
      spent: 1,
      ceiling: 100,
      countries: { HR: { spent: 1, ceiling: 10 } },
    })
    expect((await kit.admin('/spend?day=30.11.2026')).status).toBe(400)
  })

  it('summarises a period: the funnel, by country and provider, refusals and the hours', async () => {
    const kit = adminKit({ allowedCountries: ['HR'] })
    const { pinId, pin } = await kit.startVerification('+385911234567')
    await kit.post(`/pin/${pinId}/verify`, { pin })
    await kit.post('/pin', { phoneNumber: '+385921234567' })
    await kit.post('/pin', { phoneNumber: '+4915112345678' })
    const summary = (await (await kit.admin('/summary?period=day')).json()) as Record<string, unknown>
    expect(summary).toMatchObject({
      period: 'day',
      hours: 24,
      funnel: { requested: 3, sent: 2, delivered: 0, verified: 1, conversion: 0.5 },
      byCountry: [
        { country: 'DE', requested: 1, sent: 0, delivered: 0, verified: 0, conversion: null, spend: 0 },
        { country: 'HR', requested: 2, sent: 2, delivered: 0, verified: 1, conversion: 0.5, spend: 0.2 },
      ],
      byProvider: [expect.objectContaining({ provider: 'console', sent: 2, verified: 1, conversion: 0.5 })],
      refusals: [{ reason: 'COUNTRY_NOT_ALLOWED', shadow: false, count: 1 }],
      spend: expect.objectContaining({ spent: 0.2, periodSpend: 0.2 }),
      blocks: [],
    })
    expect((await kit.admin('/summary?period=year')).status).toBe(400)
  })
})

describe('metrics', () => {
  it('GET /admin/metrics: Prometheus text of the running totals (one family per breakdown), the hour’s conversion and the active blocks', async () => {
    const kit = adminKit({ allowedCountries: ['HR'], smsPrices: { HR: 0.25 }, sendPinPerRangeLimit: '1/1h' })
    const { pinId, pin } = await kit.startVerification('+385911234567')
    await kit.post(`/pin/${pinId}/verify`, { pin })
    await kit.post('/pin', { phoneNumber: '+385921234567' })
    await kit.post('/pin', { phoneNumber: '+385921234568' }) // same range: RANGE_VELOCITY
    await kit.post('/pin', { phoneNumber: '+4915112345678' }) // COUNTRY_NOT_ALLOWED
    const response = await kit.admin('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await response.text()
    const lines = text.trimEnd().split('\n')
    // Exposition format: every family has HELP and TYPE before its samples; samples are name{labels} value.
    const declared = new Set<string>()
    for (const line of lines) {
      const meta = /^# (HELP|TYPE) (\w+) .+$/.exec(line)
      if (meta) {
        if (meta[1] === 'TYPE') declared.add(meta[2]!)
        continue
      }
      const sample = /^(\w+?)(_sum|_count)?(\{(\w+="[^"]*",?)+\})? (-?[\d.e+-]+|NaN)$/.exec(line)
      expect(sample, line).not.toBeNull()
      expect(declared.has(sample![1]!) || declared.has(`${sample![1]}${sample![2] ?? ''}`), line).toBe(true)
    }
    for (const sample of [
      'two_factor_requested_total 4',
      'two_factor_requested_by_country_total{country="HR"} 3',
      'two_factor_requested_by_country_total{country="DE"} 1',
      'two_factor_sent_total 2',
      'two_factor_sent_by_country_total{country="HR"} 2',
      'two_factor_sent_by_provider_total{provider="console"} 2',
      'two_factor_verified_total 1',
      'two_factor_verified_by_country_total{country="HR"} 1',
      'two_factor_segments_total 2',
      'two_factor_estimated_spend_total 0.5',
      'two_factor_estimated_spend_by_country_total{country="HR"} 0.5',
      'two_factor_sends_refused_total{reason="RANGE_VELOCITY",shadow="false"} 1',
      'two_factor_sends_refused_total{reason="COUNTRY_NOT_ALLOWED",shadow="false"} 1',
      'two_factor_provider_send_seconds_count{provider="console"} 2',
      'two_factor_conversion_ratio{window="1h"} 0.5',
      'two_factor_active_blocks 1',
      'two_factor_active_blocks_by_reason{reason="RANGE_VELOCITY"} 1',
    ])
      expect(lines).toContain(sample)
    expect(text).toContain('# TYPE two_factor_provider_send_seconds summary')
  })
})

describe('health', () => {
  it('GET /health answers 200 { status: "ok" } while the store answers, 503 STORE_UNAVAILABLE when it does not', async () => {
    const healthy = makeKit()
    const ok = await healthy.app.request('/health')
    expect(ok.status).toBe(200)
    expect(await ok.json()).toStrictEqual({ status: 'ok' })

    const inner = memoryStore()
    const broken: TwoFactorStore = {
      ...inner,
      getCached: async () => {
        throw new StoreError('connection refused')
      },
    }
    const down = await makeKit({ store: broken }).app.request('/health')
    expect(down.status).toBe(503)
    expect((await errorOf(down)).code).toBe('STORE_UNAVAILABLE')
  })
})
