/**
 * `two-factor-kit/server`: the Hono app, its verifier for the host's own routes, and the types.
 * `twoFactor()` fills in the embedded defaults — a memory store and the console SMS provider —
 * so that development needs nothing else; production passes its own store and provider.
 */
import type { TwoFactorApp } from './http/app.js'
import { twoFactorWithStore, type TwoFactorInit } from './runtime/embedded-defaults.js'
import { memoryStore } from './stores/memory.js'

export type { TwoFactorInit } from './runtime/embedded-defaults.js'

export function twoFactor(options: TwoFactorInit = {}): TwoFactorApp {
  return twoFactorWithStore({
    ...options,
    store: options.store ?? memoryStore({ ...(options.clock ? { clock: options.clock } : {}) }),
  })
}

export { createTwoFactorApp, type TwoFactorApp, type TwoFactorConfig } from './http/app.js'
export type { TwoFactorOptions } from './http/options.js'
export type { TwoFactorCoreOptions, SigningAlgorithm } from './core/options.js'
export { consoleLogger, type Logger } from './core/log.js'
export type * from './core/events.js'
export { recentVerifications, type VerificationEntry } from './core/verification-log.js'
export {
  TwoFactorError,
  StoreError,
  ConfigurationError,
  errorStatus,
  type TwoFactorErrorCode,
} from './core/errors.js'
export {
  createVerifier,
  type TokenVerifier,
  type VerifiedPhone,
  type VerifierOptions,
} from './core/verifier.js'
export { requireVerifiedPhone, type VerifiedPhoneVariables } from './http/require-verified-phone.js'
export { generateSigningKey, TOKEN_TYPE, type JwsSign, type JwsSigner } from './core/token.js'
export type { HmacSha256, Mac } from './core/pin.js'
export { parseTestNumbersList, type NumberType } from './core/phone.js'
export type * from './stores/types.js'
export type * from './providers/types.js'
export { ProviderError } from './providers/types.js'
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js'
export { consoleProvider, type ConsoleProvider, type ConsoleOutboxEntry } from './providers/console.js'
export type { CaptchaVerifier, CaptchaVerdict } from './core/captcha.js'
