/**
 * What the send and verify paths need beyond the options, built once per app: the two HMAC keys,
 * the token signer and the lookup gate. The signer is asynchronous to make (key import), so the
 * services are a promise the app awaits on each request and on `ready`.
 */
import { createLookupGate, type LookupGate } from './lookup.js'
import type { ResolvedOptions } from './options.js'
import { deriveHmacKey, type HmacKey } from './pin.js'
import { createTokenSigner, generateSigningKey, type TokenSigner } from './token.js'

export interface Services {
  /** HMAC key for PIN MACs. */
  mac: HmacKey
  /** HMAC key the PIN is derived with (a different purpose, a different key). */
  derivation: HmacKey
  signer: TokenSigner
  lookupGate: LookupGate
}

/**
 * The lookup gate is made at once (its option mistakes throw here, at start-up); the promise rejects
 * with a ConfigurationError for a signing key that can't be used.
 */
export function createServices(config: ResolvedOptions): Promise<Services> {
  const lookupGate = createLookupGate({
    provider: config.lookup,
    store: config.store,
    cacheTtlMs: config.lookupCacheTtlMs,
    failurePolicy: config.lookupFailurePolicy,
    allowedLineTypes: config.allowedLineTypes,
    timeoutMs: config.providerTimeoutMs,
    events: { onEvent: config.policy.onEvent, logger: config.logger },
  })
  return withSigner(config, lookupGate)
}

async function withSigner(config: ResolvedOptions, lookupGate: LookupGate): Promise<Services> {
  let signingKey = config.signingKey
  if (!signingKey) {
    config.logger.warn(
      {},
      'no signing key configured: generated an ephemeral one (development only; tokens stop verifying on restart)',
    )
    signingKey = await generateSigningKey(config.algorithm)
  }
  const signer = await createTokenSigner({
    signingKey,
    previousKeys: config.previousSigningKeys,
    algorithm: config.algorithm,
    issuer: config.issuer,
    audience: config.audience,
    ttlMs: config.tokenTtlMs,
    jwsSigner: config.jwsSigner,
  })
  return {
    mac: await deriveHmacKey(config.secret, 'pin-mac', config.hmacSha256),
    derivation: await deriveHmacKey(config.secret, 'pin-derivation', config.hmacSha256),
    signer,
    lookupGate,
  }
}
