/**
 * demo/examples/deno: the kit in a Hono app served by Deno.serve, the Node entry as it is, its
 * packages from node_modules — installed from the packed tarball and run by the repository's own deno.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledApp } from '../helpers/packed-package.js'
import {
  expectTheFlow,
  expectThePerIpLimit,
  expectTheWidgetFiles,
  repositoryBinary,
  startRuntimeExample,
  type RunningExample,
} from './edge-flow.js'
import { installTimed } from './support.js'

// deno.json's `start` task, offline: "nodeModulesDir": "manual" resolves every package from the
// node_modules npm installed, and --cached-only forbids reaching for a registry.
const DENO_RUN = ['run', '--cached-only', '--allow-net', '--allow-env', '--allow-read', 'server.ts']

let app: InstalledApp | undefined
let server: RunningExample | undefined

beforeAll(async () => {
  app = installTimed('deno')
  server = await startRuntimeExample(app, 'deno', repositoryBinary('deno'), DENO_RUN)
}, 600_000)

afterAll(async () => {
  await server?.stop()
  app?.remove()
})

describe('demo/examples/deno', () => {
  it('type-checks with `deno check` (strict), offline, against the installed packages’ types', () => {
    const check = spawnSync(repositoryBinary('deno'), ['check', '--cached-only', 'server.ts'], {
      cwd: app!.dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    })
    expect(check.stderr.trim()).toBe('Check server.ts')
    expect(check.status).toBe(0)
  }, 120_000)

  it('serves the flow at /2fa: a test number ends in a token that opens /checkout once', async () => {
    await expectTheFlow(server!.url)
  })

  it('serves the widget’s files from the installed package', async () => {
    await expectTheWidgetFiles(server!.url)
  })

  it('reads the caller’s IP from Deno’s connection info: the per-IP send limit holds', async () => {
    await expectThePerIpLimit(server!.url)
  })
})
