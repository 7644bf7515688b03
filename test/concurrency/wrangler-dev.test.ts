/**
 * The demo's Workers twin under `wrangler dev` (what `npm run dev:workers` runs): real workerd,
 * real Durable Objects, over HTTP. It serves the demo, takes TWO_FACTOR_TEST_NUMBERS, and keeps the
 * attempt cap and single use when requests race.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const TEST_NUMBER = '+15005550006'
const TEST_PIN = '123456'

let wrangler: ChildProcess | undefined
let origin = ''
let stateDirectory = ''

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

beforeAll(async () => {
  // The assets directory must exist for wrangler; a fresh clone has no build yet.
  if (!existsSync(join(root, 'dist/widget/two-factor-auth.js'))) {
    const build = spawnSync('npx', ['vite', 'build', '-c', 'widget/vite.config.ts'], {
      cwd: root,
      stdio: 'inherit',
    })
    if (build.status !== 0) throw new Error('could not build the widget for wrangler dev')
  }
  const port = await freePort()
  stateDirectory = mkdtempSync(join(tmpdir(), 'tfk-wrangler-'))
  const args = ['wrangler', 'dev', '-c', 'demo/wrangler.jsonc', '--ip', '127.0.0.1', '--port', String(port)]
  args.push('--persist-to', stateDirectory, '--var', `TWO_FACTOR_TEST_NUMBERS:${TEST_NUMBER}=${TEST_PIN}`)
  wrangler = spawn('npx', args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so afterAll stops npx, wrangler and workerd together
  })
  let output = ''
  wrangler.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  wrangler.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`)
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer on ${origin}:\n${output}`)
    const ready = await fetch(`${origin}/2fa/config`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}, 180_000)

afterAll(async () => {
  if (wrangler?.pid && wrangler.exitCode === null) {
    const exited = once(wrangler, 'exit')
    process.kill(-wrangler.pid, 'SIGTERM')
    await exited
  }
  if (stateDirectory) rmSync(stateDirectory, { recursive: true, force: true })
})

const post = (path: string, body: unknown) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

async function testNumberPin(): Promise<string> {
  const response = await post('/2fa/pin', { phoneNumber: TEST_NUMBER })
  expect(response.status).toBe(201)
  return ((await response.json()) as { pinId: string }).pinId
}

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code

describe('npm run dev:workers (wrangler dev on workerd)', () => {
  it('serves the demo page, the widget, the config and the JWKS', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(200)
    const widget = await fetch(`${origin}/2fa/widget.js`)
    expect(widget.status).toBe(200)
    expect(widget.headers.get('Content-Type')).toMatch(/javascript/)
    expect(await (await fetch(`${origin}/2fa/config`)).json()).toMatchObject({ pinLength: 6 })
    expect(await (await fetch(`${origin}/2fa/.well-known/jwks.json`)).json()).toMatchObject({
      keys: [expect.objectContaining({ alg: 'EdDSA' })],
    })
  })

  it('takes TWO_FACTOR_TEST_NUMBERS, and 20 racing right PINs get exactly one token', async () => {
    const pinId = await testNumberPin()
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(`/2fa/pin/${pinId}/verify`, { pin: TEST_PIN })),
    )
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
  })

  it('keeps the attempt cap when 100 wrong PINs race', async () => {
    const pinId = await testNumberPin()
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => post(`/2fa/pin/${pinId}/verify`, { pin: '000000' })),
    )
    const codes = await Promise.all(responses.map(errorCode))
    expect(codes.filter((code) => code === 'WRONG_PIN')).toHaveLength(5)
    expect(codes.filter((code) => code === 'NO_MORE_PIN_ATTEMPTS')).toHaveLength(95)
  })
})
