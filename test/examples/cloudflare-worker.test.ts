/**
 * demo/examples/cloudflare-worker: the README's Worker as a whole project — installed from the
 * packed tarball with its own wrangler, type-checked strict against what `wrangler types` writes,
 * and run by its own `wrangler dev` on workerd: first as a fresh deployment is before its secrets
 * (production, every request a 503 NOT_CONFIGURED that says what to set), then with the .dev.vars
 * the README's steps write (keygen's secret and key, ENVIRONMENT=development, a test number).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import { freePort } from '../helpers/ports.js'
import { startProcessGroup } from '../helpers/processes.js'
import {
  expectTheFlow,
  expectTheWidgetFiles,
  TEST_NUMBER,
  TEST_PIN,
  type RunningExample,
} from './edge-flow.js'
import { installTimed } from './support.js'

// wrangler and miniflare phone home unless told not to; the machines that run this have no network.
const offline = {
  ...process.env,
  NODE_OPTIONS: '',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: '1',
}

let app: InstalledApp | undefined

beforeAll(() => {
  app = installTimed('cloudflare-worker')
}, 600_000)

afterAll(() => app?.remove())

/** The example's own `wrangler dev`, from its directory, Durable Objects in a fresh state directory. */
async function wranglerDev(dir: string): Promise<RunningExample> {
  const port = await freePort()
  // Its own inspector port too: wrangler's default (9229) would collide with another wrangler dev.
  const inspectorPort = await freePort()
  const state = mkdtempSync(join(tmpdir(), 'tfk-example-wrangler-'))
  const url = `http://127.0.0.1:${port}`
  const server = await startProcessGroup({
    name: 'wrangler dev (demo/examples/cloudflare-worker)',
    command: process.execPath,
    args: [
      join(dir, 'node_modules/wrangler/bin/wrangler.js'),
      'dev',
      ...['--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)],
      ...['--persist-to', state, '--show-interactive-dev-session=false'],
    ],
    cwd: dir,
    env: offline,
    // Any HTTP answer: the unconfigured Worker answers 503 by design.
    ready: {
      check: () =>
        fetch(url).then(
          () => true,
          () => false,
        ),
      what: `answer on ${url}`,
    },
    // The first start bundles the Worker and boots workerd: well over 10 s on a busy 2-core machine.
    readyWithinMs: 120_000,
    cleanUp: () => rmSync(state, { recursive: true, force: true }),
  })
  return { ...server, url }
}

describe('demo/examples/cloudflare-worker', () => {
  it('type-checks strict (`npm run check`: wrangler types, then tsc), env and the handler typed', () => {
    const check = spawnSync('npm', ['run', 'check', '--silent'], {
      cwd: app!.dir,
      encoding: 'utf8',
      env: offline,
    })
    expect(check.stderr).not.toMatch(/error/i)
    expect(check.stdout).not.toMatch(/error TS/)
    expect(check.status).toBe(0)
  }, 120_000)

  it('as deployed before its secrets (production): every request answers 503 NOT_CONFIGURED naming what to set, logged once', async () => {
    const server = await wranglerDev(app!.dir)
    try {
      for (const path of ['/2fa/config', '/2fa/widget.js', '/checkout']) {
        const response = await fetch(`${server.url}${path}`)
        expect(response.status, path).toBe(503)
        const { error } = (await response.json()) as { error: { code: string; message: string } }
        expect(error.code, path).toBe('NOT_CONFIGURED')
        for (const words of [
          'TWO_FACTOR_SECRET',
          'TWO_FACTOR_PRIVATE_JWK',
          'npx wrangler secret put',
          'ENVIRONMENT',
        ])
          expect(error.message).toContain(words)
      }
      // wrangler dev prints the Worker's log as it comes; give it a moment to arrive.
      await expect
        .poll(() => server.output().match(/two-factor-kit is not configured/g)?.length ?? 0, {
          timeout: 5_000,
        })
        .toBe(1)
    } finally {
      await server.stop()
    }
  }, 180_000)

  it('with the README’s .dev.vars (keygen, ENVIRONMENT=development, a test number): the flow at /2fa, the widget files', async () => {
    const dir = app!.dir
    const keygen = spawnSync('npx', ['two-factor-kit', 'keygen'], {
      cwd: dir,
      encoding: 'utf8',
      env: offline,
    })
    expect(keygen.status, keygen.stderr).toBe(0)
    const devVars = join(dir, '.dev.vars')
    writeFileSync(
      devVars,
      `${keygen.stdout}ENVIRONMENT=development\nTWO_FACTOR_TEST_NUMBERS=${TEST_NUMBER}=${TEST_PIN}\n`,
    )
    const server = await wranglerDev(dir)
    try {
      await expectTheFlow(server.url)
      await expectTheWidgetFiles(server.url)
      // The assets are the kit's to serve: not reachable around it at the site's root.
      expect((await fetch(`${server.url}/two-factor-auth.js`)).status).toBe(404)
    } finally {
      await server.stop()
      rmSync(devVars, { force: true })
    }
  }, 180_000)
})
