/**
 * What the Bun and Deno examples are held to: installed from the packed tarball, run by the
 * repository's own `bun` / `deno` (root devDependencies, node_modules/.bin), and driven over HTTP:
 * a test number's PIN, the token, the host's route once and only once, the widget's files, and a
 * per-IP limit that holds (the runtime's connection address reaches the kit).
 */
import { join } from 'node:path'
import { expect } from 'vitest'
import { repositoryRoot, type InstalledApp } from '../helpers/packed-package.js'
import { startProcessGroup } from '../helpers/processes.js'
import { post, TEST_NUMBER, TEST_PIN, type RunningExample } from './support.js'

// The flow every example is held to, the Node hosts' and these alike.
export { expectTheFlow, TEST_NUMBER, TEST_PIN, type RunningExample } from './support.js'

/** Real mobile numbers (the console provider "sends" to them): they count against the per-IP limit. */
const MOBILES = ['+385911234567', '+385911234568']

/** A binary of the repository's devDependencies, not whatever the machine has on its PATH. */
export function repositoryBinary(name: 'bun' | 'deno'): string {
  return join(repositoryRoot, 'node_modules/.bin', name)
}

/**
 * The installed example started with `command args` on a port of its choosing (PORT=0), in
 * development, with a test number and a per-IP send limit of one an hour.
 */
export async function startRuntimeExample(
  app: InstalledApp,
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningExample> {
  const server = await startProcessGroup({
    name: `demo/examples/${name}`,
    command,
    args,
    cwd: app.dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'development',
      DENO_NO_UPDATE_CHECK: '1',
      PORT: '0',
      TWO_FACTOR_TEST_NUMBERS: `${TEST_NUMBER}=${TEST_PIN}`,
      TWO_FACTOR_SEND_PER_IP_LIMIT: '1/1h',
      ...env,
    },
    ready: { output: /listening on http:\/\/[^\s:]+:(\d+)/ },
    readyWithinMs: 60_000,
  })
  return { ...server, url: `http://127.0.0.1:${server.readyMatch![1]}` }
}

/** `/2fa/widget.js` (from the installed package's dist/widget) and `/2fa/metadata.json` answer. */
export async function expectTheWidgetFiles(url: string): Promise<void> {
  const script = await fetch(`${url}/2fa/widget.js`)
  expect(script.status).toBe(200)
  expect(script.headers.get('Content-Type')).toMatch(/^text\/javascript/)
  expect(await script.text()).toContain('two-factor-auth')
  const metadata = await fetch(`${url}/2fa/metadata.json`)
  expect(metadata.status).toBe(200)
  expect(await metadata.json()).toMatchObject({ metadata: { countries: expect.any(Object) } })
}

/** With TWO_FACTOR_SEND_PER_IP_LIMIT=1/1h the second send from this address is refused. */
export async function expectThePerIpLimit(url: string): Promise<void> {
  expect(await post(`${url}/2fa/pin`, { phoneNumber: MOBILES[0] })).toMatchObject({ status: 201 })
  expect(await post(`${url}/2fa/pin`, { phoneNumber: MOBILES[1] })).toMatchObject({
    status: 429,
    body: { error: { code: 'RATE_LIMITED', limit: 'sendPinPerIp' } },
  })
}
