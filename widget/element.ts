/** `two-factor-kit/widget/element`: the class and its types, without registering the tag. */
export * from './two-factor-auth.js'
export * from './events.js'
export { registerLanguage } from './i18n.js'
export type { Strings, Plural } from './i18n.js'
export type { WidgetErrorCode, WidgetConfig, PinType } from './api-client.js'
