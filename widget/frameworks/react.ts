/**
 * `two-factor-kit/widget/react` (types only): declares `<two-factor-auth>` to React 19's JSX —
 * its properties and attributes typed as on the element, and `ontwo-factor-verified` and the other
 * event props typed with their event classes (React 19 adds a listener for `on` + the event name).
 * It augments 'react', so it is an entry of its own: a project without `@types/react` never loads it.
 * Register the element at run time with `two-factor-kit/widget`.
 */
import type { ClassAttributes, HTMLAttributes } from 'react'
import type { TwoFactorAuth } from '../two-factor-auth.js'
import type {
  TwoFactorAuthAttributes,
  TwoFactorAuthEventHandlers,
  TwoFactorAuthProperties,
} from './element-props.js'

export type * from '../element.js'
export type * from './element-props.js'

/** The JSX props of `<two-factor-auth>` in React 19. */
export type TwoFactorAuthReactProps = ClassAttributes<TwoFactorAuth> &
  Omit<HTMLAttributes<TwoFactorAuth>, keyof TwoFactorAuthProperties> &
  TwoFactorAuthProperties &
  TwoFactorAuthAttributes &
  TwoFactorAuthEventHandlers

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'two-factor-auth': TwoFactorAuthReactProps
    }
  }
}
