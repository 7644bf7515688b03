#!/usr/bin/env node
// `npx two-factor-kit keygen`: the production secrets, printed as lines for a secret store or an
// .env file. Plain JavaScript over the built server (dist/server), so it runs from the published
// package with nothing but Node: no tsx, and no `jose` of the caller's own.

const USAGE = `Usage: two-factor-kit keygen

  keygen   print a new Ed25519 signing key (TWO_FACTOR_PRIVATE_JWK) and a strong
           TWO_FACTOR_SECRET (32 random bytes, base64), one variable a line
`

async function keygen() {
  let kit
  try {
    kit = await import('../../dist/server/index.js')
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
    // Only a clone of the repository lacks it: the published package is built before packing.
    throw new Error('two-factor-kit: dist/server is missing; run `npm run build:server` first', {
      cause: error,
    })
  }
  const jwk = await kit.generateSigningKey('EdDSA')
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const secret = btoa(String.fromCharCode(...bytes))
  // Single quotes keep the JSON one shell word; a JWK's base64url and JSON never hold a quote.
  process.stdout.write(`TWO_FACTOR_PRIVATE_JWK='${JSON.stringify(jwk)}'\nTWO_FACTOR_SECRET=${secret}\n`)
}

const [command] = process.argv.slice(2)
if (command === 'keygen') {
  await keygen()
} else if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(USAGE)
} else {
  process.stderr.write(command ? `two-factor-kit: unknown command "${command}"\n\n${USAGE}` : USAGE)
  process.exitCode = 2
}
