/**
 * The package's types as a TypeScript user meets them: the packed tarball unpacked into a
 * consumer's node_modules (its dependencies beside it), and a small consumer of the server and
 * widget entries compiled under each `moduleResolution` a project may use — `node10` (the old
 * `node`, which reads `typesVersions`), `node16` and `bundler` (which read `exports`) — with strict,
 * exactOptionalPropertyTypes and no skipLibCheck, so the shipped declarations are checked too.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packedTarball, repositoryRoot } from '../helpers/packed-package.js'

const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
}
const tsc = join(repositoryRoot, 'node_modules/typescript/bin/tsc')

const CONSUMER = `
import { Hono } from 'hono'
import { hc } from 'hono/client'
import { nodeHandler, requireVerifiedPhone, serve, twoFactor, type TwoFactorInit } from 'two-factor-kit/server/node'
import { createVerifier, TwoFactorError, type VerifiedPhone } from 'two-factor-kit/server'
import { memoryStore } from 'two-factor-kit/server/stores/memory'
import { infobipProvider } from 'two-factor-kit/server/providers/infobip'
import { registerLanguage, TwoFactorAuth } from 'two-factor-kit/widget'
import { TwoFactorAuth as UnregisteredElement } from 'two-factor-kit/widget/element'

const options: TwoFactorInit = {
  issuer: 'https://shop.example',
  audience: 'shop.example',
  store: memoryStore(),
  sms: infobipProvider({ baseUrl: 'https://x.api.infobip.com', apiKey: 'key' }),
}
const phone = twoFactor(process.env, options)
const app = new Hono()
  .route('/2fa', phone)
  .post('/checkout', requireVerifiedPhone({ verifier: phone.verifier }), (c) =>
    c.json({ phone: c.get('verifiedPhone').phoneNumber }),
  )
const client = hc<typeof app>('http://localhost:3000')
export const sent: Promise<string> = client['2fa'].pin
  .$post({ json: { phoneNumber: '+15005550006' } })
  .then(async (response) => (response.ok ? (await response.json()).pinId : ''))
export const handler = nodeHandler(phone, { basePath: '/2fa' })
export const server = () => serve({ fetch: app.fetch, port: 3000 })
export const verifier = createVerifier({ jwksUrl: 'https://shop.example/2fa/.well-known/jwks.json', issuer: 'i', audience: 'a' })
export const checked = (token: string): Promise<VerifiedPhone> => verifier.verify(token)
export const refusal = new TwoFactorError('TOKEN_MISSING', 'no token').status

registerLanguage('fa', { sendCode: 'ارسال کد' })
const element = document.createElement('two-factor-auth')
export const token: string = element.value
export const isElement = (node: Node): boolean => node instanceof TwoFactorAuth || node instanceof UnregisteredElement
`

const RESOLUTIONS = {
  node10: { module: 'commonjs', moduleResolution: 'node10', type: 'commonjs' },
  node16: { module: 'node16', moduleResolution: 'node16', type: 'module' },
  bundler: { module: 'esnext', moduleResolution: 'bundler', type: 'module' },
} as const

let consumers = ''

beforeAll(() => {
  const tarball = packedTarball()
  consumers = mkdtempSync(join(tmpdir(), 'tfk-consumer-types-'))
  const nodeModules = join(consumers, 'node_modules')
  mkdirSync(join(nodeModules, 'two-factor-kit'), { recursive: true })
  const untar = spawnSync('tar', [
    '-xzf',
    tarball,
    '-C',
    join(nodeModules, 'two-factor-kit'),
    '--strip-components=1',
  ])
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`)
  // What npm would install next to it: its dependencies, hono (the peer) and Node's types.
  for (const name of [...Object.keys(manifest.dependencies), 'hono', '@types/node']) {
    mkdirSync(dirname(join(nodeModules, name)), { recursive: true })
    symlinkSync(join(repositoryRoot, 'node_modules', name), join(nodeModules, name), 'dir')
  }
  for (const [name, settings] of Object.entries(RESOLUTIONS)) {
    const dir = join(consumers, name)
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `consumer-${name}`, type: settings.type }),
    )
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: settings.module,
          moduleResolution: settings.moduleResolution,
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['consumer.ts'],
      }),
    )
  }
}, 600_000)

afterAll(() => {
  if (consumers) rmSync(consumers, { recursive: true, force: true })
})

describe('the packed package’s types', () => {
  it.each(Object.keys(RESOLUTIONS))(
    'type-check a consumer of the server and widget entries under moduleResolution %s',
    (name) => {
      const run = spawnSync(process.execPath, [tsc, '-p', join(consumers, name)], {
        cwd: join(consumers, name),
        encoding: 'utf8',
      })
      expect(run.stdout + run.stderr).toBe('')
      expect(run.status).toBe(0)
    },
    120_000,
  )
})
