import { unsafeCSS } from 'lit'

/**
 * Lit's `css` tag minus its check of interpolated values: these styles interpolate none, and the
 * check with its messages is ~150 B gzip of first paint. Still named `css`, so the build's template
 * minifier (widget/build/vite-minify-templates.ts) still minifies what it tags.
 */
const css = (strings: TemplateStringsArray) => unsafeCSS(strings[0])

/*
 * Colours follow the page: text inherits, fields use the system Field colours of the page's
 * `color-scheme`, and accent/error/success switch with `light-dark()` (Baseline 2024; older
 * browsers keep inherited colours). Logical properties make RTL work; numbers stay left-to-right.
 */
export const styles = css`
  :host {
    --_accent: var(--two-factor-accent, light-dark(#1d4ed8, #93c5fd));
    --_accent-text: var(--two-factor-accent-text, light-dark(#fff, #0b1220));
    --_error: var(--two-factor-error, light-dark(#b91c1c, #fca5a5));
    --_success: var(--two-factor-success, light-dark(#15803d, #86efac));
    --_border: var(--two-factor-border, color-mix(in srgb, currentColor 45%, transparent));
    --_field: var(--two-factor-field, Field);
    --_field-text: var(--two-factor-field-text, FieldText);
    --_surface: var(--two-factor-surface, Canvas);
    --_radius: var(--two-factor-radius, 0.5rem);
    --_gap: var(--two-factor-gap, 0.75rem);
    display: block;
    position: relative;
    font-size: var(--two-factor-font-size, 1rem);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-inline-size: 0;
  }
  .step {
    display: grid;
    gap: var(--_gap);
  }
  p {
    margin: 0;
  }
  label {
    font-weight: 600;
  }
  .hint,
  .error {
    font-size: 0.875em;
  }
  .hint {
    opacity: 0.85;
  }
  .error {
    color: var(--_error);
  }
  input,
  button,
  .country {
    font: inherit;
    color: inherit;
    border-radius: var(--_radius);
  }
  input {
    /* 16px at least: iOS zooms into smaller inputs. */
    font-size: max(16px, 1em);
    min-inline-size: 0;
    padding: 0.6em 0.75em;
    border: 1px solid var(--_border);
    background: var(--_field);
    color: var(--_field-text);
  }
  /* Off the border, which stays in sight (red when invalid); the active slot's ring is the code's focus. */
  :focus-visible,
  .pin:focus-within [part~='pin-slot-active'] {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [aria-invalid='true'] {
    border-color: var(--_error);
  }
  .field {
    display: flex;
    gap: 0.5rem;
  }
  .field input {
    flex: 1;
  }
  /* The number keeps dir="ltr" (so #phone itself never matches :dir(rtl)) but sits at the start
     of a right-to-left row, by the country button. */
  .field:dir(rtl) #phone {
    text-align: right;
  }
  .country {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    padding: 0 0.6em;
    border: 1px solid var(--_border);
    background: var(--_field);
    color: var(--_field-text);
    cursor: pointer;
  }
  .flag {
    font-size: 1.25em;
    line-height: 1;
  }
  /* Without an emoji font: the ISO code as a small badge. */
  .flag b {
    font-size: 0.55em;
    padding: 0.1em 0.3em;
    border: 1px solid;
    border-radius: 0.3em;
  }
  /* Outlined, not filled: next to the host form's own submit it reads as a step, not a second goal. */
  button[part~='button'],
  .link {
    justify-self: start;
    background: none;
    color: var(--_accent);
    cursor: pointer;
  }
  button[part~='button'] {
    padding: 0.6em 1.2em;
    border: 1px solid;
    font-weight: 600;
  }
  input:disabled,
  button:disabled,
  [aria-disabled='true'],
  :disabled .slot {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .link {
    padding: 0;
    border: 0;
    text-decoration: underline;
  }
  .sent {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.5em;
  }
  /* The real input lies over the slots, its text invisible but its caret, selection and
     autofill fully working; opacity stays 1 so iOS still offers "Paste". */
  .pin {
    position: relative;
    justify-self: start;
    min-inline-size: 0;
    max-inline-size: 100%;
    direction: ltr;
  }
  .slots {
    display: flex;
    gap: 0.5rem;
  }
  /* Slots shrink (never below their character) so that 10 fit a 390 px phone. */
  .slot {
    display: grid;
    place-items: center;
    inline-size: 2.5rem;
    block-size: 3rem;
    font-size: 1.4em;
    font-weight: 600;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_field);
    color: var(--_field-text);
  }
  /* No part names it, so no page style reaches it; forced colours would paint its text. */
  #pin {
    position: absolute;
    inset: 0;
    inline-size: 100%;
    padding: 0;
    border: 0;
    background: transparent;
    color: transparent;
    caret-color: transparent;
    outline: none;
    forced-color-adjust: none;
  }
  #pin::selection {
    background: transparent;
  }
  .invalid .slot {
    border-color: var(--_error);
  }
  .problem,
  .verified {
    display: grid;
    gap: 0.5rem;
  }
  .verified:focus {
    outline: none;
  }
  .tick {
    color: var(--_success);
    font-weight: 700;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`
