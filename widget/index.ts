/**
 * `two-factor-kit/widget`: registers `<two-factor-auth>` (once, even if loaded twice) and declares
 * its tag and events to TypeScript. Import `two-factor-kit/widget/element` for the class alone.
 */
import type { TwoFactorEventMap } from './events.js'
import { TwoFactorAuth } from './two-factor-auth.js'

export * from './two-factor-auth.js'
export * from './events.js'
export { registerLanguage } from './i18n.js'
export type { Strings, Plural } from './i18n.js'
export type { WidgetErrorCode, WidgetConfig, PinType } from './api-client.js'

if (!customElements.get('two-factor-auth')) customElements.define('two-factor-auth', TwoFactorAuth)

declare global {
  interface HTMLElementTagNameMap {
    'two-factor-auth': TwoFactorAuth
  }
  interface GlobalEventHandlersEventMap extends TwoFactorEventMap {}
}
