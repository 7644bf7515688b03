/**
 * The server's two keys, resolved at start-up: the secret the PIN MACs and PINs are derived from,
 * and the private key that signs tokens (with the keys that signed before it, still verified).
 * Development may make up either, per process; production, and any deployment on a shared store,
 * must be given both.
 */
import type { Logger, ResolvedOptions, SigningAlgorithm, TwoFactorCoreOptions } from './options.js'
import { refuseOption } from './option-variables.js'
import { secretWeakness } from './secret-strength.js'
import { previousKeyProblem, signingKeyProblem } from './token.js'

/** Randomness a secret must at least have: 32 characters, not all the same one. */
function assertStrongSecret(secret: string): void {
  if (secret.length < 32)
    refuseOption(
      'secret',
      `must be at least 32 characters of randomness (e.g. \`openssl rand -base64 32\`); got ${secret.length}`,
    )
  if (new Set(secret).size < 8)
    refuseOption(
      'secret',
      'looks like a placeholder, not a random secret (fewer than 8 distinct characters): use `openssl rand -base64 32`',
    )
}

export function resolveKeys(
  options: TwoFactorCoreOptions,
  production: boolean,
  logger: Logger,
): Pick<ResolvedOptions, 'secret' | 'signingKey' | 'previousSigningKeys' | 'algorithm'> {
  // Next to a shared store every process must derive the same PIN MACs and sign with the same key:
  // one made up per process answers WRONG_PIN to the right PIN sent by another.
  if (options.store.shared) {
    if (options.secret === undefined)
      refuseOption(
        'secret',
        'is required with a shared store (Redis, Durable Objects): set TWO_FACTOR_SECRET to the same random ' +
          'value (`openssl rand -base64 32`) in every process, or a PIN sent by one fails on another',
      )
    if (options.signingKey === undefined)
      refuseOption(
        'signingKey',
        'is required with a shared store (Redis, Durable Objects): set TWO_FACTOR_PRIVATE_JWK to the same ' +
          'private JWK in every process (see the README to make one), or one process refuses another’s tokens',
      )
  }

  let secret = options.secret
  if (secret === undefined) {
    if (production)
      refuseOption(
        'secret',
        'is required in production: set a random secret of at least 32 characters (TWO_FACTOR_SECRET)',
      )
    secret = crypto
      .getRandomValues(new Uint8Array(32))
      .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')
    logger.warn({}, 'no secret configured: using a random one for this process (development only)')
  }
  assertStrongSecret(secret)
  const weakness = production ? secretWeakness(secret) : undefined
  if (weakness)
    refuseOption(
      'secret',
      `${weakness}: production needs a random one. Set TWO_FACTOR_SECRET to the output of \`openssl rand -base64 32\``,
    )

  let signingKey: JsonWebKey | undefined
  if (options.signingKey !== undefined) {
    try {
      signingKey =
        typeof options.signingKey === 'string'
          ? (JSON.parse(options.signingKey) as JsonWebKey)
          : options.signingKey
    } catch {
      refuseOption(
        'signingKey',
        'is not valid JSON: expected a private JWK such as {"kty":"OKP","crv":"Ed25519","d":"…","x":"…"}',
      )
    }
    if (!signingKey || typeof signingKey !== 'object' || !('d' in signingKey)) {
      refuseOption('signingKey', 'must be a private JWK (with "d"); a public key cannot sign tokens')
    }
    const problem = signingKeyProblem(signingKey, options.algorithm)
    if (problem) refuseOption('signingKey', problem)
  } else if (production) {
    refuseOption(
      'signingKey',
      'is required in production: pass a private JWK (TWO_FACTOR_PRIVATE_JWK); see the README to generate one',
    )
  }
  const algorithm = options.algorithm
  if (algorithm !== undefined && algorithm !== 'EdDSA' && algorithm !== 'ES256') {
    refuseOption('algorithm', `must be "EdDSA" or "ES256"; got ${JSON.stringify(algorithm)}`)
  }
  // An ephemeral key is made for `algorithm`, EdDSA unless it says otherwise.
  const currentAlgorithm = algorithm ?? (signingKey?.kty === 'EC' ? 'ES256' : 'EdDSA')
  const previousSigningKeys = resolvePreviousKeys(options.previousSigningKeys, currentAlgorithm)
  return { secret, signingKey, previousSigningKeys, algorithm }
}

/** One JWK or an array of them, as given or as JSON; each checked against the current algorithm. */
function resolvePreviousKeys(
  value: TwoFactorCoreOptions['previousSigningKeys'],
  currentAlgorithm: SigningAlgorithm,
): JsonWebKey[] {
  if (value === undefined) return []
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      refuseOption(
        'previousSigningKeys',
        'is not valid JSON: expected a JWK such as {"kty":"OKP","crv":"Ed25519","x":"…"} or an array of them',
      )
    }
  }
  const keys: unknown[] = Array.isArray(parsed) ? parsed : [parsed]
  for (const [index, key] of keys.entries()) {
    const problem = previousKeyProblem(key, currentAlgorithm)
    if (problem) refuseOption('previousSigningKeys', `entry ${index + 1} ${problem}`)
  }
  // Only the public half is used: a private one given here is not kept.
  return (keys as JsonWebKey[]).map(({ d: _private, ...publicHalf }) => publicHalf)
}
