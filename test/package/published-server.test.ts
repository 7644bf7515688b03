/**
 * The server as the published package runs it: `npm run build:server` emits dist/server/, and a
 * plain Node process — no `two-factor-kit:source` condition, no tsx — imports every server entry of `exports` by
 * the package's name and runs a flow to a verified token. (Everything else in the repository runs
 * the TypeScript sources through the `two-factor-kit:source` condition, so without this test a broken build or a
 * missing `exports` target would go unnoticed until someone installed the package.)
 *
 * The build is a pure function of its inputs (the server's files, the tsconfigs it extends, the build
 * script in package.json, demo/wrangler.jsonc for the Workers types, and the installed tools), so
 * its output is kept in node_modules/.cache under a hash of them: a run whose inputs match an earlier
 * build gets that build's files back instead of spending ~25 s on the same tsc runs again. A fresh
 * clone (CI) has no cache and builds.
 */
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inputFiles, inputsHash } from '../helpers/inputs-hash.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types?: string; default?: string }>
  files: string[]
}
const serverEntries = Object.entries(packageJson.exports).filter(
  (entry): entry is [string, { types: string; default: string }] =>
    entry[0].startsWith('./server') && typeof entry[1] === 'object',
)

let consumer = ''

/** The hash of every file `npm run build:server` reads. */
function buildKey(): string {
  const tools = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json']
  const configs = ['tsconfig.json', 'tsconfig.worker.json', 'demo/wrangler.jsonc']
  return inputsHash(root, inputFiles(root, ['server'], [...tools, ...configs]))
}

/**
 * dist/server as `npm run build:server` makes it from the current inputs: built now, or the files of
 * an earlier build of the same inputs.
 */
function buildServer(): void {
  const dist = join(root, 'dist/server')
  const cacheRoot = join(root, 'node_modules/.cache/two-factor-kit/published-server')
  const cached = join(cacheRoot, buildKey())
  if (existsSync(cached)) {
    rmSync(dist, { recursive: true, force: true })
    cpSync(cached, dist, { recursive: true })
    return
  }
  const build = spawnSync('npm', ['run', 'build:server'], { cwd: root, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`npm run build:server failed:\n${build.stdout}\n${build.stderr}`)
  // Only the latest build is kept; copied aside first, so a half-written copy is never taken for one.
  rmSync(cacheRoot, { recursive: true, force: true })
  mkdirSync(cacheRoot, { recursive: true })
  const copying = mkdtempSync(join(cacheRoot, 'copying-'))
  cpSync(dist, copying, { recursive: true })
  renameSync(copying, cached)
}

beforeAll(() => {
  buildServer()
  // A project that depends on the package: node_modules/two-factor-kit is this repository.
  consumer = mkdtempSync(join(tmpdir(), 'tfk-consumer-'))
  mkdirSync(join(consumer, 'node_modules'))
  symlinkSync(root, join(consumer, 'node_modules', 'two-factor-kit'), 'dir')
}, 180_000)

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true })
})

describe('the published server', () => {
  it('has the JavaScript and the declarations every server export points at', () => {
    expect(serverEntries.length).toBeGreaterThan(8)
    for (const [name, target] of serverEntries) {
      expect(existsSync(join(root, target.default)), `${name} → ${target.default}`).toBe(true)
      expect(existsSync(join(root, target.types)), `${name} → ${target.types}`).toBe(true)
    }
  })

  it('runs from plain Node by the package name: every entry loads, a test number ends in a verified token', () => {
    const nodeEntries = serverEntries
      .map(([name]) => name.slice(2))
      // Workers-only: they import `cloudflare:workers`, which Node can't load.
      .filter((name) => !['server/workers', 'server/stores/durable-object'].includes(name))
    writeFileSync(
      join(consumer, 'flow.mjs'),
      `
      const loaded = {}
      for (const entry of ${JSON.stringify(nodeEntries)}) loaded[entry] = Object.keys(await import('two-factor-kit/' + entry))
      const { twoFactor } = await import('two-factor-kit/server/node')
      const app = twoFactor({ NODE_ENV: 'development' }, { testNumbers: { '+15005550006': '123456' }, logger: { info() {}, warn() {}, error() {} } })
      const json = { 'content-type': 'application/json' }
      const sent = await app.request('/pin', { method: 'POST', headers: json, body: JSON.stringify({ phoneNumber: '+15005550006' }) })
      const { pinId } = await sent.json()
      const verified = await app.request('/pin/' + pinId + '/verify', { method: 'POST', headers: json, body: JSON.stringify({ pin: '123456' }) })
      const { token } = await verified.json()
      const { phoneNumber } = await app.verifier.verify(token)
      console.log(JSON.stringify({ loaded, sent: sent.status, verified: verified.status, phoneNumber }))
      `,
    )
    const run = spawnSync(process.execPath, ['flow.mjs'], {
      cwd: consumer,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout) as {
      loaded: Record<string, string[]>
      sent: number
      verified: number
      phoneNumber: string
    }
    expect(result).toMatchObject({ sent: 201, verified: 200, phoneNumber: '+15005550006' })
    expect(result.loaded['server']).toContain('twoFactor')
    expect(result.loaded['server/node']).toEqual(expect.arrayContaining(['twoFactor', 'serve']))
    expect(result.loaded['server/providers/infobip']).toContain('infobipProvider')
    expect(result.loaded['server/stores/redis']).toContain('redisStore')
    expect(result.loaded['server/captcha/turnstile']).toContain('turnstileCaptcha')
  })

  it('`npx two-factor-kit keygen` runs from plain Node: an Ed25519 JWK that signs, and a 32-byte secret', async () => {
    const bin = (packageJson as { bin?: Record<string, string> }).bin?.['two-factor-kit']
    expect(bin).toBeDefined()
    const run = spawnSync(process.execPath, [join(consumer, 'node_modules/two-factor-kit', bin!), 'keygen'], {
      cwd: consumer,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    const jwkLine = /^TWO_FACTOR_PRIVATE_JWK='(\{[^']+\})'$/.exec(lines[0]!)
    expect(jwkLine, lines[0]).not.toBeNull()
    const jwk = JSON.parse(jwkLine![1]!) as Record<string, string>
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', d: expect.any(String) })
    const { SignJWT, jwtVerify, importJWK } = await import('jose')
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(await importJWK(jwk, 'EdDSA'))
    const { d: _private, ...publicJwk } = jwk
    await expect(jwtVerify(token, await importJWK(publicJwk, 'EdDSA'))).resolves.toBeDefined()
    const secret = /^TWO_FACTOR_SECRET=([A-Za-z0-9+/]{43}=)$/.exec(lines[1]!)
    expect(secret, lines[1]).not.toBeNull()
    expect(Buffer.from(secret![1]!, 'base64')).toHaveLength(32)
  })

  it('`two-factor-kit` without a known command prints its usage and exits 2', () => {
    const bin = (packageJson as { bin?: Record<string, string> }).bin?.['two-factor-kit'] ?? 'missing'
    const run = spawnSync(process.execPath, [join(root, bin), 'nope'], { encoding: 'utf8' })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('two-factor-kit keygen')
  })

  it('packs the built JavaScript and declarations, not the TypeScript sources (only .d.ts), the tests or the demo', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(pack.status).toBe(0)
    const files = (JSON.parse(pack.stdout) as [{ files: { path: string }[] }])[0].files.map(
      (file) => file.path,
    )
    expect(files).toContain('dist/server/index.js')
    expect(files).toContain('dist/server/node.d.ts')
    const bin = (packageJson as { bin?: Record<string, string> }).bin?.['two-factor-kit']
    expect(files).toContain(bin?.replace(/^\.\//, ''))
    expect(files).toContain('LICENSE')
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([])
    expect(
      files.filter((file) => /^(server|widget|test|demo)\//.test(file) && file !== bin?.slice(2)),
    ).toEqual([])
  })

  it('points no export condition at a file it does not ship, but for the repository’s own `two-factor-kit:source`', () => {
    const shipped = (path: string) => /^\.\/dist\//.test(path) || path === './package.json'
    for (const [name, target] of Object.entries(packageJson.exports)) {
      const conditions: Record<string, string> = typeof target === 'string' ? { default: target } : target
      for (const [condition, path] of Object.entries(conditions)) {
        if (condition === 'two-factor-kit:source') continue
        expect(shipped(path), `${name} → ${condition} → ${path}`).toBe(true)
      }
    }
  })
})
