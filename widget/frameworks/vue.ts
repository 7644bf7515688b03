/**
 * `two-factor-kit/widget/vue` (types only): declares `<two-factor-auth>` to Vue's `GlobalComponents`,
 * so that vue-tsc checks its props (typed as on the element) and `@two-factor-verified` and the other
 * events (typed with their event classes). It augments 'vue', so it is an entry of its own.
 * At run time the tag must stay a custom element: `compilerOptions.isCustomElement` in the Vue
 * plugin's options, and `two-factor-kit/widget` registers it.
 */
import type { AllowedComponentProps, ComponentCustomProps, EmitFn, HTMLAttributes, VNodeProps } from 'vue'
import type { TwoFactorEventMap } from '../events.js'
import type { TwoFactorAuth } from '../two-factor-auth.js'
import type { TwoFactorAuthAttributes, TwoFactorAuthProperties } from './element-props.js'

export type * from '../element.js'
export type * from './element-props.js'

/**
 * The element as a component type for Vue's template checker (the shape Vue's guide gives for
 * custom elements not built with Vue): `$props` and `$emit` exist for the checker only.
 */
export type TwoFactorAuthVueComponent = new () => TwoFactorAuth & {
  /** @deprecated For template type-checking only; not a property of the element. */
  $props: Omit<HTMLAttributes, keyof TwoFactorAuthProperties> &
    TwoFactorAuthProperties &
    TwoFactorAuthAttributes &
    VNodeProps &
    AllowedComponentProps &
    ComponentCustomProps
  /** @deprecated For template type-checking only; not a method of the element. */
  $emit: EmitFn<{ [E in keyof TwoFactorEventMap]: (event: TwoFactorEventMap[E]) => void }>
}

declare module 'vue' {
  interface GlobalComponents {
    'two-factor-auth': TwoFactorAuthVueComponent
  }
}
