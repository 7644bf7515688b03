// <two-factor-auth> for vue-tsc: its props and events, typed.
/// <reference types="two-factor-kit/widget/vue" />
