/**
 * Two Node server processes sharing one Redis keep one budget between them (issue 5): requests are
 * spread over both, and the per-number send limit, the attempt cap and single use still hold.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../../server/core/token.js'
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js'

let redis: RedisServer
const processes: ChildProcess[] = []
const servers: string[] = []

async function startKitProcess(env: Record<string, string>): Promise<string> {
  const script = fileURLToPath(new URL('./kit-server.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  processes.push(child)
  let output = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    process.stderr.write(chunk)
  })
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const port = /LISTENING (\d+)/.exec(output)?.[1]
      if (port) resolve(`http://127.0.0.1:${port}`)
    })
    child.once('exit', (code) => reject(new Error(`kit server exited (${code}):\n${output}`)))
  })
}

beforeAll(async () => {
  redis = await startRedisServer()
  const env = {
    REDIS_URL: redis.url,
    KEY_PREFIX: `tfk-two:${crypto.randomUUID()}:`,
    TWO_FACTOR_SECRET: 'two-processes-secret-0123456789-abcdefghijklmnop',
    TWO_FACTOR_PRIVATE_JWK: JSON.stringify(await generateSigningKey()),
  }
  servers.push(...(await Promise.all([startKitProcess(env), startKitProcess(env)])))
})

afterAll(async () => {
  await Promise.all(
    processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }),
  )
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

describe('two Node processes on one Redis', () => {
  it('share the per-number send limit: 200 sends spread over both → at most 3 SMS in all', async () => {
    const phoneNumber = '+385911112222'
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(servers[i % 2]!, '/pin', { phoneNumber })),
    )
    const created = responses.filter((response) => response.status === 201)
    expect(created.length).toBeGreaterThanOrEqual(1)
    expect(created.length).toBeLessThanOrEqual(3)
    const sent = (await outboxes()).filter((message) => message.to === phoneNumber)
    expect(sent).toHaveLength(created.length)
    expect(responses.filter((response) => response.status === 429)).toHaveLength(200 - created.length)
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
    expect(refusals.every((code) => code === 'NO_MORE_PIN_ATTEMPTS' || code === 'PIN_ALREADY_VERIFIED')).toBe(
      true,
    )
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
    expect(codes.filter((code) => code === 'NO_MORE_PIN_ATTEMPTS')).toHaveLength(195)
  })
})
