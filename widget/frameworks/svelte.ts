/**
 * `two-factor-kit/widget/svelte` (types only): declares `<two-factor-auth>` to Svelte 5's elements,
 * so that svelte-check checks its properties and attributes (typed as on the element) and
 * `ontwo-factor-verified` and the other event attributes (typed with their event classes). It
 * augments 'svelte/elements', so it is an entry of its own. `two-factor-kit/widget` registers it.
 */
import type { HTMLAttributes } from 'svelte/elements'
import type { TwoFactorAuth } from '../two-factor-auth.js'
import type {
  TwoFactorAuthAttributes,
  TwoFactorAuthEventHandlers,
  TwoFactorAuthProperties,
} from './element-props.js'

export type * from '../element.js'
export type * from './element-props.js'

/** The attributes of `<two-factor-auth>` in a Svelte 5 template. */
export type TwoFactorAuthSvelteAttributes = Omit<
  HTMLAttributes<TwoFactorAuth>,
  keyof TwoFactorAuthProperties
> &
  TwoFactorAuthProperties &
  TwoFactorAuthAttributes &
  TwoFactorAuthEventHandlers

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'two-factor-auth': TwoFactorAuthSvelteAttributes
  }
}
