/**
 * A kit instance for tests: development keys, the console provider silenced but recording, a fake
 * clock, generous verify limits unless a test asks otherwise, and small request helpers.
 */
import { consoleProvider, memoryStore, twoFactor, type TwoFactorInit } from '../../server/index.js'
import { fakeClock } from './clock.js'

export { fakeClock }

export const MOBILE_HR = '+385911234567'

// A fixed test key for kits on a shared store (Redis), which twoFactor() refuses to give an
// ephemeral one.
const SHARED_STORE_SIGNING_KEY = {
  crv: 'Ed25519',
  d: 'NP6P6xz0Y-kPD1ZjZk4qaTl-ZN2Bb3zp2MituJdxXek',
  x: 'ZaskXV5RiYEyfq4nyaS5NpsItlk9ur82sXX8LSfWnIw',
  kty: 'OKP',
  alg: 'EdDSA',
}

export function makeKit(overrides: TwoFactorInit = {}) {
  const clock = fakeClock()
  const sms = consoleProvider({ print: null, outboxSize: 10_000 })
  // One line per log call, as a person reads it: the message, then the fields (an error by its
  // name and message), so that tests can look for both.
  const logs: string[] = []
  const line = (fields: object | string, message?: string) =>
    logs.push(
      `${message ?? ''} ${JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? `${value.name}: ${value.message}` : value))}`,
    )
  const logger = { info: line, warn: line, error: line }
  const store = memoryStore({ clock: clock.now })
  const app = twoFactor({
    environment: 'development',
    secret: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    verifyPinLimit: '1000/1s',
    logger,
    clock: clock.now,
    store,
    sms,
    ...(overrides.store?.shared ? { signingKey: SHARED_STORE_SIGNING_KEY } : {}),
    ...overrides,
  })

  async function post(path: string, body?: unknown, headers: Record<string, string> = {}) {
    return app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
  }

  async function get(path: string) {
    return app.request(path)
  }

  /** Sends a PIN and returns the answer plus the PIN read from the SMS. */
  async function startVerification(phoneNumber = MOBILE_HR) {
    const response = await post('/pin', { phoneNumber })
    if (response.status !== 201) throw new Error(`POST /pin → ${response.status} ${await response.text()}`)
    const answer = (await response.json()) as { pinId: string; [key: string]: unknown }
    return { ...answer, pin: lastPin() } as typeof answer & { pin: string; expiresAt: string }
  }

  function lastPin(): string {
    const text = sms.outbox.at(-1)?.text ?? ''
    const match = /^(\S+) /.exec(text)
    if (!match) throw new Error(`no PIN in the last SMS: ${JSON.stringify(text)}`)
    return match[1]!
  }

  return { app, sms, store, clock, logs, post, get, startVerification, lastPin }
}

export async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; [key: string]: unknown }> {
  const body = (await response.json()) as { error: { code: string; message: string } }
  return body.error
}
