/**
 * What every Node host example is held to: installed from the packed tarball, started as its
 * README says (`npm start`), and driven over HTTP like a browser and the host's own page would —
 * a test number's PIN, the token, the protected route once and only once, the kit's refusals.
 */
import { expect } from 'vitest'
import { installExample, type InstalledApp } from '../helpers/packed-package.js'
import { startProcessGroup, type ProcessGroup } from '../helpers/processes.js'

export const TEST_NUMBER = '+15005550006'
export const TEST_PIN = '123456'
/** A second test number, for a run that must not wait for the first one's verify limit (1 per 3 s). */
export const OTHER_TEST_NUMBER = '+15005550001'

/** `installExample(name)`, with how long it took for the log. */
export function installTimed(name: string): InstalledApp {
  const started = Date.now()
  const app = installExample(name)
  console.info(`demo/examples/${name}: installed from the packed tarball in ${Date.now() - started} ms`)
  return app
}

/** The environment an example runs in: development, a test number, nothing of the test runner's. */
export function exampleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: '',
    NODE_ENV: 'development',
    TWO_FACTOR_TEST_NUMBERS: `${TEST_NUMBER}=${TEST_PIN},${OTHER_TEST_NUMBER}=${TEST_PIN}`,
    ...extra,
  }
}

export interface RunningExample extends ProcessGroup {
  url: string
}

/** `npm start` in the installed example, on a port of its choosing (PORT=0), ready once it says where. */
export async function startExample(app: InstalledApp, name: string): Promise<RunningExample> {
  const server = await startProcessGroup({
    name: `demo/examples/${name}`,
    command: 'npm',
    args: ['start', '--silent'],
    cwd: app.dir,
    env: exampleEnv({ PORT: '0' }),
    ready: { output: /listening on (http:\/\/localhost:\d+)/ },
    readyWithinMs: 60_000,
  })
  return { ...server, url: server.readyMatch![1]!.replace('localhost', '127.0.0.1') }
}

const json = { 'Content-Type': 'application/json' }

/** A JSON POST and its answer's status and JSON body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = json) {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** A test number's PIN → the token, over the kit's API at `${url}/2fa`. */
export async function verifiedToken(url: string): Promise<string> {
  const sent = await post(`${url}/2fa/pin`, { phoneNumber: TEST_NUMBER })
  expect(sent, 'POST /2fa/pin').toMatchObject({ status: 201, body: { pinId: expect.any(String) } })
  const verified = await post(`${url}/2fa/pin/${sent.body['pinId']}/verify`, { pin: TEST_PIN })
  expect(verified, 'POST /2fa/pin/:pinId/verify').toMatchObject({
    status: 200,
    body: { verified: true, token: expect.any(String) },
  })
  return verified.body['token'] as string
}

/**
 * The whole flow on a running example: the token opens `POST /checkout` once, a replay, a missing
 * token and an invalid number are refused with the kit's codes (never a 500).
 */
export async function expectTheFlow(url: string): Promise<void> {
  const token = await verifiedToken(url)
  const bearer = { ...json, Authorization: `Bearer ${token}` }
  expect(await post(`${url}/checkout`, {}, bearer)).toEqual({ status: 200, body: { phone: TEST_NUMBER } })
  expect(await post(`${url}/checkout`, {}, bearer)).toMatchObject({
    status: 401,
    body: { error: { code: 'TOKEN_ALREADY_USED' } },
  })
  expect(await post(`${url}/checkout`, {})).toMatchObject({
    status: 401,
    body: { error: { code: 'TOKEN_MISSING' } },
  })
  expect(await post(`${url}/2fa/pin`, { phoneNumber: '+1 555' })).toMatchObject({
    status: 400,
    body: { error: { code: 'PHONE_NUMBER_INVALID' } },
  })
  expect(await post(`${url}/2fa/pin`, { phoneNumber: 42 })).toMatchObject({
    status: 400,
    body: { error: { code: 'INVALID_REQUEST' } },
  })
}
