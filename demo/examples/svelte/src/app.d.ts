// <two-factor-auth> for svelte-check: its attributes and events, typed.
/// <reference types="two-factor-kit/widget/svelte" />
