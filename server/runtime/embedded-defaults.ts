/**
 * The defaults both entries fill in around the store their caller chose: one logger for every part
 * of the kit, and the console SMS provider. The memory store is the Node entry's own default
 * (index.ts): the Workers entry always has a store, so a Worker's bundle carries no memory store.
 */
import { createTwoFactorApp, type TwoFactorApp } from '../http/app.js'
import type { TwoFactorOptions } from '../http/options.js'
import { consoleLogger } from '../core/log.js'
import { consoleProvider } from '../providers/console.js'

export type TwoFactorInit = Omit<TwoFactorOptions, 'store' | 'sms'> &
  Partial<Pick<TwoFactorOptions, 'store' | 'sms'>>

export function twoFactorWithStore(options: TwoFactorInit & Pick<TwoFactorOptions, 'store'>): TwoFactorApp {
  // One logger for every part: the kit, its providers (useLogger) and the widget routes.
  const logger = options.logger ?? consoleLogger()
  return createTwoFactorApp({
    ...options,
    logger,
    // Refused in production unless allowed, and then it withholds the PINs.
    sms: options.sms ?? consoleProvider({ maskPins: options.environment !== 'development' }),
    // The widget routes are made with the widget option spread out, so the logger rides along.
    ...(options.widget ? { widget: Object.assign({}, options.widget, { logger }) } : {}),
  })
}
