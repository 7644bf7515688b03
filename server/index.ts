/**
 * `two-factor-kit/server`: the Hono app, its verifier for the host's own routes, and the types.
 * `twoFactor()` fills in the embedded defaults — a memory store and the console SMS provider —
 * so that development needs nothing else; production passes its own store and provider.
 */
import { createTwoFactorApp, type TwoFactorApp } from './app.js'
import type { TwoFactorOptions } from './options.js'
import { consoleProvider } from './providers/console.js'
import { memoryStore } from './stores/memory.js'

export type TwoFactorInit = Omit<TwoFactorOptions, 'store' | 'sms'> &
  Partial<Pick<TwoFactorOptions, 'store' | 'sms'>>

export function twoFactor(options: TwoFactorInit = {}): TwoFactorApp {
  return createTwoFactorApp({
    ...options,
    store: options.store ?? memoryStore({ ...(options.clock ? { clock: options.clock } : {}) }),
    sms: options.sms ?? consoleProvider(),
  })
}

export { createTwoFactorApp, type TwoFactorApp } from './app.js'
export type { TwoFactorOptions, ResolvedOptions, SigningAlgorithm, Logger } from './options.js'
export {
  TwoFactorError,
  StoreError,
  ConfigurationError,
  errorStatus,
  type TwoFactorErrorCode,
} from './errors.js'
export {
  createVerifier,
  requireVerifiedPhone,
  type TokenVerifier,
  type VerifiedPhone,
  type VerifierOptions,
} from './verifier.js'
export { generateSigningKey, TOKEN_TYPE } from './token.js'
export { parseTestNumbersList, type NumberType } from './phone.js'
export type * from './store.js'
export type * from './sms.js'
export { ProviderError } from './sms.js'
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js'
export { consoleProvider, type ConsoleProvider, type ConsoleOutboxEntry } from './providers/console.js'
export type { CaptchaVerifier, CaptchaVerdict } from './captcha.js'
