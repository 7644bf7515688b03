// What the Workers entry puts into a Worker: one copy of the phone metadata (the server's full one,
// which the widget's /metadata.json is cut from), no package.json, no JSON Schema conversion (the
// OpenAPI document is generated ahead of time), no memory store, and the version it serves kept
// equal to the package's.
import { readFile } from 'node:fs/promises'
import { build, type BuildOptions } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { VERSION } from '../../server/runtime/version.js'

/** As wrangler bundles a Worker, minus the minifying. */
const BUILD_OPTIONS = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'browser'],
  external: ['cloudflare:*', 'node:*'],
  metafile: true,
  logLevel: 'silent',
} satisfies BuildOptions

async function bundledInputs(): Promise<string[]> {
  const result = await build({ ...BUILD_OPTIONS, entryPoints: ['server/workers.ts'] })
  return Object.keys(result.metafile.inputs)
}

/**
 * A user's Worker, bundled: it holds only what it uses (unlike the entry's every export above).
 * `bytesFrom(path)`: the bytes the file ending in `path` puts into it; `text`: the bundle.
 */
async function userWorker(): Promise<{ bytesFrom: (file: string) => number; text: string }> {
  const result = await build({
    ...BUILD_OPTIONS,
    stdin: {
      contents: `import { twoFactor } from './server/workers.ts'
        export default { fetch: (request, env) => twoFactor(env).fetch(request) }`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
  })
  const [output] = Object.values(result.metafile.outputs)
  const inputs = Object.entries(output!.inputs)
  return {
    bytesFrom: (file) => inputs.find(([path]) => path.endsWith(file))?.[1].bytesInOutput ?? 0,
    text: result.outputFiles[0]!.text,
  }
}

describe('the Workers bundle', () => {
  it('holds one copy of the phone metadata (max) and no package.json', async () => {
    const inputs = await bundledInputs()
    const metadata = inputs.filter((input) => /libphonenumber-js\/metadata\.\w+\.json/.test(input))
    expect(metadata).toHaveLength(1)
    expect(metadata[0]).toMatch(/metadata\.max\.json/)
    expect(inputs.filter((input) => input.endsWith('package.json'))).toStrictEqual([])
  })

  it('holds no JSON Schema conversion: GET /openapi.json serves a document generated ahead of time', async () => {
    const inputs = await bundledInputs()
    expect(inputs.filter((input) => input.includes('@valibot/to-json-schema'))).toStrictEqual([])
    expect(inputs.filter((input) => /server\/http\/openapi(-routes)?\.ts$/.test(input))).toStrictEqual([])
  })

  it('holds no memory store: a Worker that calls twoFactor(env) always has its own (the Durable Object binding or an override)', async () => {
    const { bytesFrom } = await userWorker()
    expect(bytesFrom('server/http/app.ts')).toBeGreaterThan(0) // the kit is in it
    expect(bytesFrom('server/stores/memory.ts')).toBe(0)
  })

  it("holds no remote key set (jose's createRemoteJWKSet): the kit's own verifier has its keys in hand", async () => {
    const { bytesFrom } = await userWorker()
    expect(bytesFrom('jose/dist/webapi/jwks/local.js')).toBeGreaterThan(0) // the verifier is in it
    expect(bytesFrom('jose/dist/webapi/jwks/remote.js')).toBe(0)
  })

  it("holds libphonenumber-js's modern build (its es6-modern files), not the Babel-transpiled es6 one", async () => {
    const { bytesFrom } = await userWorker()
    expect(bytesFrom('libphonenumber-js/es6-modern/parse.js')).toBeGreaterThan(0)
    expect(bytesFrom('libphonenumber-js/es6/parse.js')).toBe(0)
  })

  it("holds jose's error classes it uses, not its `errors` namespace (every class, the JWE ones too)", async () => {
    const { text } = await userWorker()
    expect(text).toContain('ERR_JWT_EXPIRED')
    expect(text.match(/ERR_JWE_[A-Z_]+/g) ?? []).toStrictEqual([])
  })

  it("serves the package's version", async () => {
    const packageJson = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
    expect(VERSION).toBe(packageJson.version)
  })
})
