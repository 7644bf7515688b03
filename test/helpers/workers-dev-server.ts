/**
 * The demo's Workers twin as `npm run dev:workers` runs it — `wrangler dev` on real workerd, Durable
 * Objects in a private state directory — on a free port, stopped together with its workerd.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { root, type DemoServer } from './demo-server.js'
import { freePort } from './ports.js'
import { startProcessGroup } from './processes.js'

export interface WorkersDevOptions {
  /** Worker vars on top of demo/wrangler.jsonc's, e.g. `{ TWO_FACTOR_TEST_NUMBERS: '+15005550006=123456' }`. */
  vars?: Record<string, string>
}

/** The assets directory must exist for wrangler; a fresh clone has no build yet. */
function ensureWidgetBuilt(): void {
  if (existsSync(join(root, 'dist/widget/two-factor-auth.js'))) return
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'widget/build/vite.config.ts'],
    { cwd: root, stdio: 'inherit' },
  )
  if (build.status !== 0) throw new Error('could not build the widget for wrangler dev')
}

export async function startWorkersDevServer(options: WorkersDevOptions = {}): Promise<DemoServer> {
  ensureWidgetBuilt()
  const port = await freePort()
  // Its own inspector port too: wrangler's default (9229) would collide with a second wrangler dev.
  const inspectorPort = await freePort()
  // Fresh Durable Object storage per start: no PINs or rate-limit windows from an earlier run.
  const stateDirectory = mkdtempSync(join(tmpdir(), 'tfk-wrangler-'))
  const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '-c', 'demo/wrangler.jsonc']
  args.push('--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort))
  args.push('--persist-to', stateDirectory, '--show-interactive-dev-session=false')
  // The Durable Object store is shared, so the kit wants one secret and key for every isolate even
  // in development (a developer puts them in demo/.dev.vars): test values here.
  const vars = {
    TWO_FACTOR_SECRET: 'workers-dev-Xk4pQ9vR2mL7wZ0tY5nB8cF1hJ6gD3s',
    TWO_FACTOR_PRIVATE_JWK: JSON.stringify({
      crv: 'Ed25519',
      d: 'MWTUnJQm_Ozy4bqw6OBa4__rcw3fcd0mP93eBsowGOE',
      x: '2xf5u7kPKZx5GM4qJf0ZPEMYHPQhXKb16VwtzhDjtJE',
      kty: 'OKP',
      alg: 'EdDSA',
    }),
    ...options.vars,
  }
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`)
  const url = `http://127.0.0.1:${port}`
  const wrangler = await startProcessGroup({
    name: 'wrangler dev',
    command: process.execPath,
    args,
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' },
    ready: { url: `${url}/2fa/config` },
    // The first start bundles the Worker and boots workerd: well over 10 s on a busy 2-core machine.
    readyWithinMs: 120_000,
    cleanUp: () => rmSync(stateDirectory, { recursive: true, force: true }),
  })
  return { ...wrangler, url }
}
