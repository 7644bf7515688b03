/**
 * What a template may set on `<two-factor-auth>`, derived from the element class itself so that the
 * React, Vue and Svelte typings follow it: its public reactive properties (Lit's `properties`
 * without the `state` ones), their attribute names, and one handler per event of
 * `TwoFactorEventMap`.
 */
import type { TwoFactorEventMap } from '../events.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'

type Declarations = typeof TwoFactorAuth.properties

/** `endpoint`, `name`, `defaultCountry`, `lang`, `disabled`, `strings`: what a page sets. */
export type TwoFactorAuthPropertyName = {
  [K in keyof Declarations]: Declarations[K] extends { readonly state: true } ? never : K
}[keyof Declarations]

/** The properties, typed as on the class. */
export type TwoFactorAuthProperties = Partial<Pick<TwoFactorAuth, TwoFactorAuthPropertyName>>

// Lit's rule: `attribute: 'x'` names it, `attribute: false` has none, otherwise the lowercased name.
type AttributeName<K extends string, D> = D extends { readonly attribute: false }
  ? never
  : D extends { readonly attribute: infer A extends string }
    ? A
    : Lowercase<K>

/** The attributes whose names differ from their property's (`default-country`), same value types. */
export type TwoFactorAuthAttributes = {
  [
    K in TwoFactorAuthPropertyName as AttributeName<K, Declarations[K]> extends K
      ? never
      : AttributeName<K, Declarations[K]>
  ]?: TwoFactorAuth[K]
}

/** `ontwo-factor-verified` and the others: the lowercase `on` + event name React 19 and Svelte 5 bind. */
export type TwoFactorAuthEventHandlers = {
  [E in keyof TwoFactorEventMap as `on${E}`]?: (event: TwoFactorEventMap[E]) => void
}
