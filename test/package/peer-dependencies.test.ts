// The host's own hono serves the kit (`host.route('/2fa', twoFactor())`): one copy of hono, the
// host's, so the kit names it as a peer. The floor is the oldest hono the suite passes on: 4.13.0
// passes it (server, security, observability, published-package tests and tsc); 4.12.0 does not
// (it fails the kit's "refuses a body over the size limit" test).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  devDependencies?: Record<string, string>
}

describe('hono', () => {
  it('is a required peer dependency from 4.13.0 on, not a dependency, and the tests run on a 4.13 from devDependencies', () => {
    expect(packageJson.dependencies?.['hono']).toBeUndefined()
    expect(packageJson.peerDependencies?.['hono']).toBe('^4.13.0')
    expect(packageJson.peerDependenciesMeta?.['hono']?.optional).not.toBe(true)
    expect(packageJson.devDependencies?.['hono']).toMatch(/^~4\.13\./)
  })
})
