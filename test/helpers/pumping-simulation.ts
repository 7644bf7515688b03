/**
 * SMS pumping and a legitimate population, simulated through the kit's public HTTP API on a memory
 * store and a fake clock: deterministic (a seeded PRNG, no Math.random), so the figures are exact.
 * The console provider's outbox counts the paid SMS; there is no lookup, so no network breaker.
 */
import {
  getCountries,
  getExampleNumber,
  parsePhoneNumberWithError,
  type CountryCode,
} from 'libphonenumber-js/max'
import examples from 'libphonenumber-js/mobile/examples'
import { consoleProvider, memoryStore, twoFactor, type TwoFactorInit } from '../../server/index.js'
import { fakeClock } from './clock.js'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
/** Monday 12 January 2026, 00:00 UTC: a UTC day starts with the simulation (the spend ceiling is per UTC day). */
export const SIMULATION_START = Date.UTC(2026, 0, 12)

export interface ScenarioResult {
  scenario: string
  /** POST /pin, resends and verifications together. */
  requests: number
  /** SMS the provider was paid for. */
  paidSms: number
  /** SMS paid before the first refusal (the first time a policy or limit stopped it). */
  paidBeforeFirstRefusal: number
  /** Minutes from the start to the last paid SMS (null: none). */
  lastPaidAtMinute: number | null
  /**
   * Refusals by code, reason and the kind of scope refused (`SEND_BLOCKED/LOW_CONVERSION country`,
   * `SEND_BLOCKED/SPEND_CEILING application`, `RATE_LIMITED/sendPinPerIp`, …).
   */
  refusedByReason: Record<string, number>
  /** Refused sends of people who meant well (the legitimate population only; 0 for attacks). */
  legitimateRefused: number
  verified: number
  /** Estimated spend from the kit's own price table (`kit.policy.spend()`). */
  spend: number
}

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

const IP_HEADER = 'x-simulated-client-ip'

/** The kit under simulation: default policies unless `options` says otherwise, development, no captcha. */
function simulationKit(options: TwoFactorInit = {}, start = SIMULATION_START) {
  const clock = fakeClock(start)
  const sms = consoleProvider({ print: null, outboxSize: 1_000_000 })
  const quiet = () => {}
  const kit = twoFactor({
    environment: 'development',
    allowedCountries: '*',
    secret: 'simulation-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    logger: { info: quiet, warn: quiet, error: quiet },
    clock: clock.now,
    store: memoryStore({ clock: clock.now }),
    sms,
    getClientIp: (c) => c.req.header(IP_HEADER),
    ...options,
  })
  const refusedByReason: Record<string, number> = {}
  let requests = 0
  let lastPaidAt: number | null = null
  let paidBeforeFirstRefusal: number | undefined

  async function call(path: string, ip: string, body?: unknown) {
    requests++
    const response = await kit.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [IP_HEADER]: ip },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const answer = (await response.json()) as Record<string, unknown> & {
      error?: { code: string; reason?: string; limit?: string; scope?: string }
    }
    return { status: response.status, answer, error: answer.error }
  }

  /** POST /pin (or a resend): the pinId when an SMS was paid, else the refusal. */
  async function send(ip: string, phoneNumber: string, resendOf?: string) {
    const before = sms.outbox.length
    const { answer, error } = await (resendOf
      ? call(`/pin/${resendOf}/resend`, ip)
      : call('/pin', ip, { phoneNumber }))
    if (sms.outbox.length > before) lastPaidAt = clock.now()
    if (error) {
      paidBeforeFirstRefusal ??= before
      const scopeKind =
        error.scope === 'country:rare'
          ? ' rare countries'
          : error.scope
            ? ` ${error.scope.split(':')[0]}`
            : ''
      const key = `${error.code}/${error.reason ?? error.limit ?? '-'}${scopeKind}`
      refusedByReason[key] = (refusedByReason[key] ?? 0) + 1
      return { pinId: undefined, error }
    }
    return { pinId: answer.pinId as string, error: undefined }
  }

  async function verify(ip: string, pinId: string, pin: string) {
    return (await call(`/pin/${pinId}/verify`, ip, { pin })).status === 200
  }

  async function result(scenario: string, extra: { legitimateRefused?: number; verified?: number } = {}) {
    const spend = await kit.policy.spend(new Date(start).toISOString().slice(0, 10))
    return {
      scenario,
      requests,
      paidSms: sms.outbox.length,
      paidBeforeFirstRefusal: paidBeforeFirstRefusal ?? sms.outbox.length,
      lastPaidAtMinute: lastPaidAt === null ? null : Math.round((lastPaidAt - start) / MINUTE),
      refusedByReason,
      legitimateRefused: extra.legitimateRefused ?? 0,
      verified: extra.verified ?? 0,
      spend: Math.round(spend.spent * 100) / 100,
    } satisfies ScenarioResult
  }

  return { kit, sms, clock, send, verify, result }
}

/** The PIN in the SMS sent to `to` most recently. */
function pinSentTo(sms: ReturnType<typeof consoleProvider>, to: string): string {
  for (let index = sms.outbox.length - 1; index >= 0; index--) {
    const entry = sms.outbox[index]!
    if (entry.to === to) return /^(\S+) /.exec(entry.text)![1]!
  }
  throw new Error(`no SMS to ${to}`)
}

const attackerIp = (index: number) => `198.51.${100 + (index >> 8)}.${index & 255}`

/**
 * (a) Adjacent numbers of one 1k range (+385 91 123 4000, 4001, …) from `ips` client IPs in turn,
 * `perSecond` requests a second, nobody verifies. A bot told that a range is blocked moves on to the
 * next 1k range (the next 10k one for a 10k block); a country block it sits out, still asking.
 */
export async function rangeAttack({ ips = 50, perSecond = 1, minutes = 30 } = {}): Promise<ScenarioResult> {
  const sim = simulationKit()
  let next = 385_911_234_000
  const total = minutes * 60 * perSecond
  for (let request = 0; request < total; request++) {
    const { error } = await sim.send(attackerIp(request % ips), `+${next}`)
    next++
    const range = error?.scope?.startsWith('range:') ? error.scope.slice('range:'.length) : undefined
    if (range) next = (Number(range) + 1) * 10 ** (12 - range.length)
    sim.clock.advance(SECOND / perSecond)
  }
  return sim.result(`range attack: ${ips} IPs, adjacent +385 91 numbers, ${perSecond}/s for ${minutes} min`)
}

/** A random valid mobile number of `country`: its example number with all but `kept` national digits drawn. */
function randomMobile(country: CountryCode, random: () => number, kept = 2): string {
  const example = getExampleNumber(country, examples)!
  const national = example.nationalNumber
  for (;;) {
    let digits = national.slice(0, kept)
    while (digits.length < national.length) digits += String(Math.floor(random() * 10))
    const parsed = parsePhoneNumberWithError(`+${example.countryCallingCode}${digits}`)
    const type = parsed.getType()
    if (parsed.country === country && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE'))
      return parsed.number
  }
}

/** (b) Random numbers across the ranges of one country from `ips` IPs in turn; nobody verifies. */
export async function countryBurst({
  country = 'HR' as CountryCode,
  ips = 200,
  perSecond = 1,
  minutes = 30,
  seed = 2,
} = {}): Promise<ScenarioResult> {
  const sim = simulationKit()
  const random = seededRandom(seed)
  const total = minutes * 60 * perSecond
  for (let request = 0; request < total; request++) {
    await sim.send(attackerIp(request % ips), randomMobile(country, random))
    sim.clock.advance(SECOND / perSecond)
  }
  return sim.result(`country burst: ${ips} IPs, random ${country} mobiles, ${perSecond}/s for ${minutes} min`)
}

/** One valid mobile example number per country libphonenumber-js knows (shared examples once), and +881/+870. */
export function worldTourNumbers(): string[] {
  const numbers = new Set<string>()
  for (const country of getCountries()) {
    const example = getExampleNumber(country, examples)
    if (example) numbers.add(example.number)
  }
  return [...numbers, '+881612345678', '+870773111632']
}

/** (c) The world tour: 8 IPs in turn, one number per country and two satellite ones, 1/s. */
export async function worldTour({
  allowedCountries = '*' as TwoFactorInit['allowedCountries'],
  ips = 8,
  perSecond = 1,
} = {}): Promise<ScenarioResult> {
  const sim = simulationKit({ allowedCountries })
  const numbers = worldTourNumbers()
  for (const [request, number] of numbers.entries()) {
    await sim.send(attackerIp(request % ips), number)
    sim.clock.advance(SECOND / perSecond)
  }
  const countries = allowedCountries === '*' ? "'*'" : `[${allowedCountries!.join(', ')}]`
  return sim.result(`world tour: ${ips} IPs, ${numbers.length} numbers, allowedCountries ${countries}`)
}

/**
 * Where a legitimate population's numbers are, weights in per cent. `usHeavy` (a shop with many US
 * and Canadian customers) spends about 81 a day for 2,000 people at the built-in prices, under the
 * default ceilings (100 a day, 20 per country); `european` (the same shop with mostly European
 * customers) spends about 101, past the default daily ceiling.
 */
export const POPULATION_MIXES = {
  usHeavy: [
    ['US', 40],
    ['GB', 14],
    ['CA', 10],
    ['DE', 7],
    ['FR', 7],
    ['PL', 7],
    ['ES', 4],
    ['IT', 4],
    ['NL', 4],
    ['HR', 3],
  ],
  european: [
    ['US', 30],
    ['GB', 14],
    ['DE', 9],
    ['FR', 9],
    ['CA', 8],
    ['PL', 8],
    ['ES', 6],
    ['IT', 6],
    ['HR', 5],
    ['NL', 5],
  ],
} as const satisfies Record<string, readonly (readonly [CountryCode, number])[]>

/** Sign-ups by UTC hour: quiet at night, a peak in the afternoon and evening. */
const DAY_CURVE = [1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 7, 5, 3, 2]

function pick<T>(weighted: readonly (readonly [T, number])[], random: () => number): T {
  let left = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0)
  for (const [value, weight] of weighted) if ((left -= weight) < 0) return value
  return weighted.at(-1)![0]
}

type Step =
  | { at: number; person: number; kind: 'send' }
  | { at: number; person: number; kind: 'resend' }
  | { at: number; person: number; kind: 'verify' }

/**
 * (d) `people` people over 24 simulated hours on the day's curve, each from their own IP and number
 * (many ranges of the 10 countries of `mix`); `verifying` of them verify 1–3 minutes after the SMS, the rest
 * never; `resending` of them ask for a resend 40–90 s after the first SMS (past the 30 s cooldown).
 * `options` changes the kit's defaults, to find what a population needs.
 */
export async function legitimatePopulation({
  people = 2_000,
  verifying = 0.85,
  resending = 0.04,
  seed = 4,
  mix = 'usHeavy' as keyof typeof POPULATION_MIXES,
  options = {} as TwoFactorInit,
} = {}): Promise<ScenarioResult> {
  const sim = simulationKit(options)
  const random = seededRandom(seed)
  const hours = DAY_CURVE.map((weight, hour) => [hour, weight] as const)
  const persons = Array.from({ length: people }, (_, index) => {
    const country = pick(POPULATION_MIXES[mix], random)
    return {
      ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
      number: randomMobile(country, random),
      pinId: undefined as string | undefined,
    }
  })
  const steps: Step[] = []
  for (const [person] of persons.entries()) {
    const at = SIMULATION_START + pick(hours, random) * HOUR + Math.floor(random() * HOUR)
    steps.push({ at, person, kind: 'send' })
    const resendAfter = random() < resending ? 40 * SECOND + Math.floor(random() * 50 * SECOND) : 0
    if (resendAfter) steps.push({ at: at + resendAfter, person, kind: 'resend' })
    if (random() < verifying)
      steps.push({
        at: at + resendAfter + MINUTE + Math.floor(random() * 2 * MINUTE),
        person,
        kind: 'verify',
      })
  }
  // Ties keep their order of creation: a person's send comes before their verification.
  steps.sort((a, b) => a.at - b.at)
  let refused = 0
  let verified = 0
  for (const step of steps) {
    sim.clock.advance(step.at - sim.clock.now())
    const person = persons[step.person]!
    if (step.kind === 'verify') {
      if (person.pinId && (await sim.verify(person.ip, person.pinId, pinSentTo(sim.sms, person.number))))
        verified++
      continue
    }
    if (step.kind === 'resend' && !person.pinId) continue
    const { pinId, error } = await sim.send(
      person.ip,
      person.number,
      step.kind === 'resend' ? person.pinId : undefined,
    )
    if (error) refused++
    else person.pinId = pinId
  }
  const changed = Object.keys(options).length ? `, ${JSON.stringify(options).replace(/"/g, '')}` : ''
  const share = `${Math.round(verifying * 100)} % verifying`
  return sim.result(`legitimate population (${mix} mix, ${share}): ${people} people over 24 h${changed}`, {
    legitimateRefused: refused,
    verified,
  })
}

/** Every scenario at its stated size, in the order the bench prints them. */
export async function runAllScenarios(): Promise<ScenarioResult[]> {
  return [
    await rangeAttack(),
    await countryBurst(),
    await worldTour(),
    await worldTour({ allowedCountries: ['HR', 'DE', 'FR', 'GB', 'US'] }),
    await legitimatePopulation(),
    await legitimatePopulation({ verifying: 0.6 }),
  ]
}

/**
 * The European mix, whose day costs more than the default ceiling: at the defaults, and with the
 * ceiling it needs (the day's estimated spend rounded up to the next 10).
 */
export async function europeanPopulationAndItsCeiling(): Promise<ScenarioResult[]> {
  // A ceiling out of reach rather than none: without a ceiling the day's spend is not counted.
  const unlimited = await legitimatePopulation({ mix: 'european', options: { dailySpendLimit: 1_000_000 } })
  const ceiling = Math.ceil(unlimited.spend / 10) * 10
  return [
    await legitimatePopulation({ mix: 'european' }),
    await legitimatePopulation({ mix: 'european', options: { dailySpendLimit: ceiling } }),
  ]
}
