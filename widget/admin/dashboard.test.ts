import { expect, fixture, fixtureCleanup } from '@open-wc/testing'
import { html } from 'lit'
import { afterEach, beforeEach, describe, it, vi } from 'vitest'
import { userEvent } from 'vitest/browser'
import { until } from '../testing/mount.js'
import { TOKEN_KEY, type TwoFactorDashboard } from './dashboard.js'
import './index.js'
import type { Summary } from './types.js'

const TOKEN = 'test-admin-token-0123456789abcdefghijklmnop'
const NOW = Date.now()
const hourKey = (ms: number) => new Date(ms).toISOString().slice(0, 13)

function summary(period: Summary['period'] = 'day'): Summary {
  return {
    period,
    hours: { hour: 1, day: 24, week: 168 }[period],
    funnel: { requested: 12, sent: 10, delivered: 8, verified: 6, conversion: 0.6 },
    byCountry: [
      { country: 'HR', requested: 9, sent: 8, delivered: 7, verified: 6, conversion: 0.75, spend: 0.4 },
      { country: 'DE', requested: 3, sent: 2, delivered: 1, verified: 0, conversion: 0, spend: 0.15 },
    ],
    byProvider: [
      {
        provider: 'console',
        sent: 10,
        delivered: 8,
        undelivered: 1,
        verified: 6,
        failed: 0,
        conversion: 0.6,
        latencyMs: 42,
      },
    ],
    refusals: [
      { reason: 'RANGE_VELOCITY', shadow: false, count: 4 },
      { reason: 'COUNTRY_NOT_ALLOWED', shadow: true, count: 1 },
    ],
    spend: {
      day: '2026-11-30',
      spent: 0.55,
      ceiling: 100,
      countries: { HR: { spent: 0.4, ceiling: 20 } },
      periodSpend: 0.55,
    },
    series: [{ hour: hourKey(NOW), requested: 12, sent: 10, delivered: 8, verified: 6, refused: 5 }],
    blocks: [
      {
        scope: 'range:385911234',
        reason: 'RANGE_VELOCITY',
        action: 'block',
        level: 1,
        since: NOW - 60_000,
        until: NOW + 15 * 60_000,
      },
    ],
  }
}

function emptySummary(): Summary {
  return {
    ...summary('hour'),
    funnel: { requested: 0, sent: 0, delivered: 0, verified: 0, conversion: null },
    byCountry: [],
    byProvider: [],
    refusals: [],
    spend: { day: '2026-11-30', spent: 0, ceiling: null, countries: {}, periodSpend: 0 },
    series: [],
    blocks: [],
  }
}

interface Call {
  method: string
  path: string
  authorization: string | null
  body: unknown
}

type Answer = { status: number; body: unknown } | 'network-error' | Promise<never>

/** The admin API as `fetch`: answers by route, any route replaced with `answer(route, …)`. */
function installFakeAdminApi() {
  const calls: Call[] = []
  const overrides = new Map<string, Answer[]>()
  let current = summary()
  let allowList = [{ entry: '+385911111111', source: 'store', note: 'QA phone', addedAt: NOW }]
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input))
    const method = init.method ?? 'GET'
    const headers = new Headers(init.headers)
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    const path = url.pathname.replace(/^\/fake-admin\//, '')
    calls.push({ method, path: path + url.search, authorization: headers.get('Authorization'), body })
    const route = `${method} ${path}`
    const queued = overrides.get(route)?.shift()
    const reply = (status: number, json: unknown) =>
      new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } })
    if (queued === 'network-error') throw new TypeError('Failed to fetch')
    if (queued instanceof Promise) return queued
    if (queued) return reply(queued.status, queued.body)
    if (headers.get('Authorization') !== `Bearer ${TOKEN}`)
      return reply(401, { error: { code: 'ADMIN_UNAUTHORIZED', message: 'The admin API needs a token.' } })
    if (route === 'GET summary') return reply(200, { ...current, period: url.searchParams.get('period') })
    if (route === 'GET allow-list') return reply(200, { entries: allowList })
    if (route === 'POST allow-list') {
      allowList = [...allowList, { entry: body.entry, source: 'store', note: body.note, addedAt: NOW }]
      return reply(201, { entry: body.entry, added: true })
    }
    if (method === 'DELETE' && path.startsWith('allow-list/')) {
      const entry = decodeURIComponent(path.slice('allow-list/'.length))
      allowList = allowList.filter((item) => item.entry !== entry)
      return reply(200, { entry, removed: true })
    }
    if (method === 'DELETE' && path.startsWith('blocks/')) {
      const scope = decodeURIComponent(path.slice('blocks/'.length))
      current = { ...current, blocks: current.blocks.filter((block) => block.scope !== scope) }
      return reply(200, { scope, lifted: true })
    }
    if (route === 'GET verifications') {
      const phoneNumber = url.searchParams.get('phoneNumber')!
      if (!/^\+\d{8,15}$/.test(phoneNumber))
        return reply(400, {
          error: { code: 'INVALID_REQUEST', message: 'phoneNumber must be an international number (+…).' },
        })
      return reply(200, {
        phoneNumber,
        verifications: [
          {
            pinId: 'pin-1',
            createdAt: NOW - 120_000,
            expiresAt: NOW + 180_000,
            status: 'verified',
            deliveryStatus: 'delivered',
            attemptsUsed: 2,
            resends: 1,
            provider: 'console',
            country: 'HR',
            verifiedAt: NOW - 60_000,
          },
        ],
      })
    }
    return reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } })
  })
  vi.stubGlobal('fetch', fetchMock)
  return {
    calls,
    answer(route: string, ...answers: Answer[]) {
      overrides.set(route, [...(overrides.get(route) ?? []), ...answers])
    },
    setSummary(next: Summary) {
      current = next
    },
  }
}

let api: ReturnType<typeof installFakeAdminApi>
beforeEach(() => {
  sessionStorage.clear()
  api = installFakeAdminApi()
})
afterEach(() => {
  fixtureCleanup()
  vi.unstubAllGlobals()
  sessionStorage.clear()
})

const mount = () =>
  fixture<TwoFactorDashboard>(html`<two-factor-dashboard endpoint="/fake-admin/"></two-factor-dashboard>`)
const find = <T extends Element = HTMLElement>(element: TwoFactorDashboard, selector: string) =>
  element.shadowRoot!.querySelector<T>(selector)
const text = (element: TwoFactorDashboard, selector: string) =>
  find(element, selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? ''
const shown = (element: TwoFactorDashboard) => element.shadowRoot!.textContent!.replace(/\s+/g, ' ')

async function signIn(element: TwoFactorDashboard, token = TOKEN): Promise<void> {
  await userEvent.click(find(element, '#token')!)
  await userEvent.keyboard(token)
  await userEvent.click(find(element, 'form button[type=submit]')!)
}

async function mountSignedIn(): Promise<TwoFactorDashboard> {
  const element = await mount()
  await signIn(element)
  await until(() => element.phase === 'ready', 'the data never showed')
  await element.updateComplete
  return element
}

describe('<two-factor-dashboard>', () => {
  it('signed out: an accessible sign-in form, and no request until a token is given', async () => {
    const element = await mount()
    await expect(element).to.be.accessible()
    expect(text(element, 'h1')).to.equal('Operator console')
    const input = find<HTMLInputElement>(element, '#token')!
    expect(input.type).to.equal('password')
    expect(api.calls).to.have.length(0)
  })

  it('loading: says so and marks the page busy while the first summary is on its way', async () => {
    let release!: () => void
    api.answer('GET summary', new Promise<never>((_, reject) => (release = () => reject(new TypeError('x')))))
    const element = await mount()
    await signIn(element)
    await until(() => find(element, '.loading'), 'no loading state')
    expect(text(element, '.loading')).to.equal('Loading…')
    expect(find(element, 'main')!.getAttribute('aria-busy')).to.equal('true')
    await expect(element).to.be.accessible()
    release()
  })

  it('data: the funnel, countries, providers, spend, blocks and refusals, read with the token as a bearer header only', async () => {
    const element = await mountSignedIn()
    await expect(element).to.be.accessible()
    expect(sessionStorage.getItem(TOKEN_KEY)).to.equal(TOKEN)
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).to.deep.equal([
      'GET summary?period=day',
      'GET allow-list',
    ])
    for (const call of api.calls) {
      expect(call.authorization).to.equal(`Bearer ${TOKEN}`)
      expect(call.path).not.to.contain(TOKEN)
    }
    expect(text(element, '[data-figure=sent]')).to.equal('10')
    expect(text(element, '[data-figure=verified]')).to.equal('6')
    expect(text(element, '[data-figure=conversion]')).to.equal('60%')
    expect(
      [...element.shadowRoot!.querySelectorAll('.funnel td[data-step]')].map((cell) => cell.textContent),
    ).to.deep.equal(['12', '10', '8', '6'])
    expect(text(element, 'tr[data-country=HR]')).to.contain('Croatia (HR)')
    expect(text(element, 'tr[data-country=HR]')).to.contain('75%')
    expect(text(element, 'tr[data-provider=console]')).to.contain('42 ms')
    expect(text(element, '.spend .spent')).to.equal('0.55')
    expect(find<HTMLMeterElement>(element, 'meter')!.value).to.equal(0.55)
    expect(text(element, 'tr[data-scope="range:385911234"]')).to.contain('Too many sends to one number range')
    expect(text(element, 'tr[data-reason=RANGE_VELOCITY]')).to.contain('4')
    expect(text(element, 'tr[data-reason=COUNTRY_NOT_ALLOWED]')).to.contain('shadow: not enforced')
    expect(find(element, 'figure.hourly svg')!.getAttribute('aria-label')).to.contain(
      '10 sent, 6 verified, 5 refused',
    )
    expect(element.shadowRoot!.querySelectorAll('figure.hourly rect.sent')).to.have.length(24)
    expect(text(element, 'li[data-entry="+385911111111"]')).to.contain('QA phone')
  })

  it('a rejected token (401) returns to sign-in with a message, and the token is forgotten', async () => {
    const element = await mount()
    await signIn(element, 'wrong-token-wrong-token-wrong-token!!')
    await until(() => find(element, '[role=alert]'), 'no message')
    expect(element.phase).to.equal('signed-out')
    expect(text(element, '[role=alert]')).to.contain('The server refused this token')
    expect(sessionStorage.getItem(TOKEN_KEY)).to.equal(null)
    expect(element.shadowRoot!.activeElement?.id).to.equal('token')
    await expect(element).to.be.accessible()
  })

  it('a token that stops working mid-session (401 on refresh) signs out and says why', async () => {
    const element = await mountSignedIn()
    api.answer('GET summary', { status: 401, body: { error: { code: 'ADMIN_UNAUTHORIZED', message: 'no' } } })
    await userEvent.click(
      [...element.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Refresh'))!,
    )
    await until(() => element.phase === 'signed-out', 'still signed in')
    await element.updateComplete
    expect(text(element, '[role=alert]')).to.contain('no longer accepts this token')
  })

  it('empty: a period without any activity says so in every section', async () => {
    api.setSummary(emptySummary())
    const element = await mountSignedIn()
    await expect(element).to.be.accessible()
    const page = shown(element)
    expect(page).to.contain('No codes were asked for in the last day yet.')
    expect(page).to.contain('No active blocks.')
    expect(page).to.contain('Nothing was refused in this period.')
    expect(page).to.contain('No sends to any country in this period.')
    expect(page).to.contain('No provider was called in this period.')
    expect(page).to.contain('no daily ceiling')
    expect(text(element, '[data-figure=conversion]')).to.equal('–')
  })

  it('lifting a block asks first: Cancel sends nothing, Lift block deletes that scope and reads the summary again', async () => {
    const element = await mountSignedIn()
    const liftButton = () => find<HTMLButtonElement>(element, 'tr[data-scope="range:385911234"] button')!
    await userEvent.click(liftButton())
    const dialog = find<HTMLDialogElement>(element, 'dialog')!
    await until(() => dialog.open, 'no confirmation')
    expect(text(element, '#confirm-title')).to.equal('Lift the block on range:385911234?')
    await expect(element).to.be.accessible()
    await userEvent.click(
      [...dialog.querySelectorAll('button')].find((b) => b.textContent!.includes('Cancel'))!,
    )
    await until(() => !dialog.open, 'still open')
    expect(api.calls.filter((call) => call.method === 'DELETE')).to.have.length(0)

    await userEvent.click(liftButton())
    await until(() => dialog.open, 'no confirmation')
    await userEvent.click(dialog.querySelector('button.danger')!)
    await until(() => !find(element, 'tr[data-scope]'), 'the block is still listed')
    expect(api.calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).to.deep.equal([
      'blocks/range%3A385911234',
    ])
    expect(api.calls.filter((call) => call.path.startsWith('summary'))).to.have.length(2)
    expect(text(element, '[role=status]')).to.equal('Block on range:385911234 lifted.')
    expect(shown(element)).to.contain('No active blocks.')
  })

  it('503 before any data: the reason and a Retry that recovers', async () => {
    api.answer('GET summary', {
      status: 503,
      body: { error: { code: 'STORE_UNAVAILABLE', message: 'The store is not answering.' } },
    })
    const element = await mount()
    await signIn(element)
    await until(() => element.phase === 'failed', 'no failure')
    await element.updateComplete
    expect(text(element, '[role=alert]')).to.contain('The server is unavailable (503 STORE_UNAVAILABLE).')
    expect(text(element, '[role=alert]')).to.contain('The store is not answering.')
    await expect(element).to.be.accessible()
    await userEvent.click(find(element, '[role=alert] button')!)
    await until(() => element.phase === 'ready', 'no recovery')
  })

  it('a network failure after data keeps the figures and says they are stale', async () => {
    const element = await mountSignedIn()
    api.answer('GET summary', 'network-error')
    await userEvent.click(
      [...element.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Refresh'))!,
    )
    await until(() => find(element, '[role=alert]'), 'no message')
    expect(text(element, '[role=alert]')).to.contain('The server could not be reached.')
    expect(text(element, '[role=alert]')).to.contain('The figures below are from')
    expect(text(element, '[data-figure=sent]')).to.equal('10')
    await expect(element).to.be.accessible()
  })

  it('the period switch reads that period, by keyboard too', async () => {
    const element = await mountSignedIn()
    find<HTMLInputElement>(element, 'input[name=period]:checked')!.focus()
    await userEvent.keyboard('{ArrowRight}')
    await until(() => api.calls.some((call) => call.path === 'summary?period=week'), 'no week summary')
    await until(() => text(element, '.updated').includes('last week'), 'the page still shows the day')
  })

  it('a restored tab signs in again from sessionStorage', async () => {
    sessionStorage.setItem(TOKEN_KEY, TOKEN)
    const element = await mount()
    await until(() => element.phase === 'ready', 'not signed in')
    expect(api.calls[0]!.authorization).to.equal(`Bearer ${TOKEN}`)
    await userEvent.click(
      [...element.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Sign out')!,
    )
    expect(sessionStorage.getItem(TOKEN_KEY)).to.equal(null)
    expect(element.phase).to.equal('signed-out')
  })

  it("number lookup shows the number's verifications, and a bad number's message inline", async () => {
    const element = await mountSignedIn()
    await userEvent.click(find(element, '#lookup')!)
    await userEvent.keyboard('+385 91 234 5678{Enter}')
    await until(() => find(element, 'tr[data-pin-id=pin-1]'), 'no verifications')
    expect(api.calls.at(-1)!.path).to.equal('verifications?phoneNumber=%2B385912345678')
    expect(text(element, 'table.history caption')).to.contain('+385912345678')
    expect(text(element, 'tr[data-pin-id=pin-1] .status')).to.contain('Verified')
    expect(text(element, 'tr[data-pin-id=pin-1]')).to.contain('Croatia (HR)')
    await expect(element).to.be.accessible()

    const input = find<HTMLInputElement>(element, '#lookup')!
    input.value = ''
    await userEvent.click(input)
    await userEvent.keyboard('12{Enter}')
    await until(() => find(element, '.inline-error'), 'no message')
    expect(text(element, '.inline-error')).to.equal('phoneNumber must be an international number (+…).')
  })

  it('the allow-list adds an entry with a note and removes one', async () => {
    const element = await mountSignedIn()
    await userEvent.click(find(element, '#allow-entry')!)
    await userEvent.keyboard('+385912222xxx')
    await userEvent.click(find(element, '#allow-note')!)
    await userEvent.keyboard('office range{Enter}')
    await until(() => find(element, 'li[data-entry="+385912222xxx"]'), 'not added')
    expect(api.calls.find((call) => call.method === 'POST')!.body).to.deep.equal({
      entry: '+385912222xxx',
      note: 'office range',
    })
    await userEvent.click(find(element, 'li[data-entry="+385911111111"] button')!)
    await until(() => !find(element, 'li[data-entry="+385911111111"]'), 'not removed')
    expect(api.calls.find((call) => call.method === 'DELETE')!.path).to.equal('allow-list/%2B385911111111')
  })
})
