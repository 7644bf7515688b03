/**
 * Two Node server processes sharing one Redis keep one budget between them: requests are spread
 * over both, and the cooldown, the per-number send limit, the attempt cap, single use, range velocity
 * and the conversion breaker still hold.
 * Both kits run on fake clocks that start at the same instant and are moved on together.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../../server/core/token.js'
import { sendOutcome, tally } from '../helpers/outcomes.js'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'

let redis: RedisServer
const kitProcesses: ProcessGroup[] = []
const servers: string[] = []

async function startKitProcess(env: Record<string, string>): Promise<string> {
  const kitProcess = await startProcessGroup({
    name: 'kit server',
    command: process.execPath,
    args: ['--import', 'tsx', fileURLToPath(new URL('./kit-server.ts', import.meta.url))],
    env: { ...process.env, ...env },
    ready: { output: /LISTENING (\d+)/ },
    readyWithinMs: 30_000,
    echoStderr: true,
  })
  kitProcesses.push(kitProcess)
  return `http://127.0.0.1:${kitProcess.readyMatch![1]}`
}

beforeAll(async () => {
  redis = await startRedisServer()
  const env = {
    REDIS_URL: redis.url,
    KEY_PREFIX: `tfk-two:${crypto.randomUUID()}:`,
    TWO_FACTOR_SECRET: 'two-processes-secret-0123456789-abcdefghijklmnop',
    TWO_FACTOR_PRIVATE_JWK: JSON.stringify(await generateSigningKey()),
    CLOCK_START: String(Date.now()),
  }
  servers.push(...(await Promise.all([startKitProcess(env), startKitProcess(env)])))
})

afterAll(async () => {
  await Promise.all(kitProcesses.map((kitProcess) => kitProcess.stop()))
  await redis?.stop()
})

const post = (server: string, path: string, body: unknown) =>
  fetch(`${server}/2fa${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

async function outboxes(): Promise<{ to: string; text: string }[]> {
  const lists = await Promise.all(
    servers.map(async (server) => (await fetch(`${server}/outbox.json`)).json()),
  )
  return (lists as { to: string; text: string }[][]).flat()
}

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code

/** Moves both kits' clocks on by `ms`. */
async function advanceClocks(ms: number): Promise<void> {
  const body = JSON.stringify({ ms })
  const answers = await Promise.all(
    servers.map((server) => fetch(`${server}/clock/advance`, { method: 'POST', body })),
  )
  expect(answers.map((answer) => answer.status)).toStrictEqual([200, 200])
}

describe('two Node processes on one Redis', () => {
  it('share the cooldown: 200 sends at one instant spread over both → exactly one SMS in all, 199 refused by the cooldown', async () => {
    const phoneNumber = '+385911112222'
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(servers[i % 2]!, '/pin', { phoneNumber })),
    )
    expect(tally(await Promise.all(responses.map(sendOutcome)))).toStrictEqual({
      '201': 1,
      '429 resendCooldown': 199,
    })
    expect((await outboxes()).filter((message) => message.to === phoneNumber)).toHaveLength(1)
  })

  it('share the per-number limit: sends a cooldown apart, alternating between them → 3 SMS, the 4th refused by either', async () => {
    const phoneNumber = '+385917778888'
    const outcomes = []
    for (let i = 0; i < 5; i++) {
      outcomes.push(await sendOutcome(await post(servers[i % 2]!, '/pin', { phoneNumber })))
      if (i < 3) await advanceClocks(30_000)
    }
    expect(outcomes).toStrictEqual([
      '201',
      '201',
      '201',
      '429 sendPinPerPhoneNumber',
      '429 sendPinPerPhoneNumber',
    ])
    expect((await outboxes()).filter((message) => message.to === phoneNumber)).toHaveLength(3)
  })

  it('share the attempt cap and single use of a PIN sent by one of them', async () => {
    const phoneNumber = '+385913334444'
    const sendResponse = await post(servers[0]!, '/pin', { phoneNumber })
    expect(sendResponse.status).toBe(201)
    const { pinId } = (await sendResponse.json()) as { pinId: string }
    const pin = /\b(\d{6})\b/.exec(
      (await outboxes()).find((message) => message.to === phoneNumber)!.text,
    )![1]!
    const wrong = pin === '000000' ? '111111' : '000000'

    // 4 of 5 attempts spent by wrong PINs raced over both processes, then 20 right ones.
    const budgetProbe = await Promise.all(
      Array.from({ length: 4 }, (_, i) => post(servers[i % 2]!, `/pin/${pinId}/verify`, { pin: wrong })),
    )
    expect(await Promise.all(budgetProbe.map(errorCode))).toStrictEqual(Array(4).fill('WRONG_PIN'))
    const right = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(servers[i % 2]!, `/pin/${pinId}/verify`, { pin })),
    )
    expect(right.filter((response) => response.status === 200)).toHaveLength(1)
    const refusals = await Promise.all(right.filter((response) => response.status !== 200).map(errorCode))
    expect(refusals).toStrictEqual(Array(19).fill('PIN_NOT_FOUND'))
  })

  it('share the attempt cap: 200 wrong PINs spread over both → exactly 5 evaluated', async () => {
    const phoneNumber = '+385915556666'
    const sendResponse = await post(servers[1]!, '/pin', { phoneNumber })
    const { pinId } = (await sendResponse.json()) as { pinId: string }
    const pin = /\b(\d{6})\b/.exec(
      (await outboxes()).find((message) => message.to === phoneNumber)!.text,
    )![1]!
    const wrong = pin === '000000' ? '111111' : '000000'
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(servers[i % 2]!, `/pin/${pinId}/verify`, { pin: wrong })),
    )
    const codes = await Promise.all(responses.map(errorCode))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'PIN_NOT_FOUND')).toHaveLength(195)
  })

  it('share range velocity: 30 sends at one instant to one 1k range spread over both → exactly 10 SMS (10/1h), 20 SEND_BLOCKED, unless the range breaker closed it first; then either refuses the range', async () => {
    const number = (i: number) => `+4915112346${String(i).padStart(3, '0')}`
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(servers[i % 2]!, '/pin', { phoneNumber: number(i) })),
    )
    // Each refusal with its reason: the velocity, or the conversion breaker, which may judge the
    // range once enough of the racing sends have finished (none is verified) and refuse the rest
    // before they reach the velocity. Only that can keep a send the velocity would allow.
    const outcomes = await Promise.all(
      responses.map(async (response) => {
        if (response.status === 201) return '201'
        const { error } = (await response.json()) as { error: { code: string; reason?: string } }
        return `${response.status} ${error.code} ${error.reason}`
      }),
    )
    const sent = outcomes.filter((outcome) => outcome === '201').length
    expect(
      outcomes.filter((outcome) => !/^(201|403 SEND_BLOCKED (RANGE_VELOCITY|LOW_CONVERSION))$/.test(outcome)),
    ).toStrictEqual([])
    expect(sent).toBeLessThanOrEqual(10)
    if (!outcomes.includes('403 SEND_BLOCKED LOW_CONVERSION')) expect(sent).toBe(10)
    expect((await outboxes()).filter((message) => message.to.startsWith('+4915112346'))).toHaveLength(sent)
    for (const server of servers) {
      const later = await post(server, '/pin', { phoneNumber: number(100) })
      expect(later.status).toBe(403)
      // The range is blocked for one of its two faults, whichever a racing send recorded first: the
      // velocity, or the 10 sends that none verified (the breaker).
      expect(((await later.json()) as { error: Record<string, unknown> }).error).toMatchObject({
        code: 'SEND_BLOCKED',
        reason: expect.stringMatching(/^(RANGE_VELOCITY|LOW_CONVERSION)$/),
        scope: 'range:4915112346',
      })
    }
  })

  it('share the conversion breaker: verifications on one process count for sends on the other; 7 unverified sends to a range block it on both', async () => {
    // France, which no other test here sends to: its country counters are this test's alone.
    // A range whose PINs are verified on the other process stays open.
    const healthy = (i: number) => `+33612347${String(i).padStart(3, '0')}`
    for (let i = 0; i < 8; i++) {
      const sent = await post(servers[i % 2]!, '/pin', { phoneNumber: healthy(i) })
      expect(sent.status).toBe(201)
      const { pinId } = (await sent.json()) as { pinId: string }
      const text = (await outboxes()).find((message) => message.to === healthy(i))!.text
      const pin = /\b(\d{6})\b/.exec(text)![1]!
      expect((await post(servers[(i + 1) % 2]!, `/pin/${pinId}/verify`, { pin })).status).toBe(200)
    }
    // A range nobody verifies: 7 sends (none verified of 7 is conclusive), alternating, then both refuse.
    const pumped = (i: number) => `+33612348${String(i).padStart(3, '0')}`
    for (let i = 0; i < 7; i++)
      expect((await post(servers[i % 2]!, '/pin', { phoneNumber: pumped(i) })).status).toBe(201)
    for (const server of servers) {
      const refused = await post(server, '/pin', { phoneNumber: pumped(50) })
      expect(refused.status).toBe(403)
      expect(((await refused.json()) as { error: Record<string, unknown> }).error).toMatchObject({
        reason: 'LOW_CONVERSION',
        scope: 'range:33612348',
      })
    }
    expect((await post(servers[0]!, '/pin', { phoneNumber: healthy(9) })).status).toBe(201)
  })
})
