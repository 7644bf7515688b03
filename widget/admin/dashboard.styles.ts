import { css } from 'lit'

/** The page's own look: system fonts, light and dark from prefers-color-scheme, fluid down to 360 px. */
export const styles = css`
  :host {
    --bg: #f5f6f8;
    --card: #ffffff;
    --text: #1b1f24;
    --muted: #57606a;
    --line: #d5d9de;
    --accent: #0b5cad;
    --accent-text: #ffffff;
    --track: #e6e9ed;
    --requested: #6e7781;
    --sent: #0b5cad;
    --delivered: #2f7d95;
    --verified: #1a7f37;
    --refused: #b35900;
    --danger: #b42318;
    --danger-bg: #fdecea;
    --warn-bg: #fff4e0;
    display: block;
    min-height: 100vh;
    box-sizing: border-box;
    background: var(--bg);
    color: var(--text);
    font:
      16px/1.5 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #0f1216;
      --card: #181c22;
      --text: #e6e9ed;
      --muted: #a0a8b2;
      --line: #353c45;
      --accent: #6cb0f5;
      --accent-text: #0f1216;
      --track: #2a3038;
      --requested: #a0a8b2;
      --sent: #6cb0f5;
      --delivered: #5cc3da;
      --verified: #56d364;
      --refused: #f0a35c;
      --danger: #ff8a80;
      --danger-bg: #3a1d1b;
      --warn-bg: #3a2c12;
    }
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.75rem 1rem;
    padding: 0.75rem clamp(0.75rem, 3vw, 2rem);
    background: var(--card);
    border-bottom: 1px solid var(--line);
  }
  h1 {
    font-size: 1.25rem;
    margin: 0;
    margin-inline-end: auto;
  }
  h1:focus {
    outline: none;
  }
  h2 {
    font-size: 1.05rem;
    margin: 0 0 0.75rem;
  }
  main {
    padding: 1rem clamp(0.75rem, 3vw, 2rem) 3rem;
    max-width: 90rem;
    margin: 0 auto;
  }
  .grid {
    display: grid;
    gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
  }
  section.card {
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 0.5rem;
    padding: 1rem;
    min-width: 0;
  }
  section.wide {
    grid-column: 1 / -1;
  }
  .signin {
    max-width: 26rem;
    margin: 12vh auto 0;
  }
  .signin p {
    color: var(--muted);
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  #spend-today {
    margin: 0;
  }
  input[type='password'],
  input[type='text'],
  input[type='tel'] {
    width: 100%;
    font: inherit;
    padding: 0.5rem 0.625rem;
    border: 1px solid var(--muted);
    border-radius: 0.375rem;
    background: var(--card);
    color: var(--text);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  .row > .field {
    flex: 1 1 12rem;
  }
  button {
    font: inherit;
    font-weight: 600;
    padding: 0.5rem 1rem;
    border-radius: 0.375rem;
    border: 1px solid var(--accent);
    background: var(--accent);
    color: var(--accent-text);
    cursor: pointer;
    min-height: 2.5rem;
  }
  button.secondary {
    background: transparent;
    color: var(--accent);
  }
  button.danger {
    background: var(--danger);
    border-color: var(--danger);
    color: var(--card);
  }
  button:disabled {
    opacity: 0.6;
    cursor: progress;
  }
  :is(button, input, summary, .scroll, a):focus-visible {
    outline: 3px solid var(--accent);
    outline-offset: 2px;
  }
  fieldset.periods {
    display: inline-flex;
    border: 1px solid var(--line);
    border-radius: 0.375rem;
    padding: 0;
    margin: 0;
    overflow: hidden;
  }
  fieldset.periods label {
    margin: 0;
    font-weight: 600;
    padding: 0.4rem 0.75rem;
    cursor: pointer;
  }
  fieldset.periods input {
    position: absolute;
    opacity: 0;
    width: 1px;
    height: 1px;
  }
  fieldset.periods label:has(input:checked) {
    background: var(--accent);
    color: var(--accent-text);
  }
  fieldset.periods label:has(input:focus-visible) {
    outline: 3px solid var(--accent);
    outline-offset: -3px;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .updated,
  .empty,
  figcaption,
  .hint {
    color: var(--muted);
    font-size: 0.875rem;
  }
  .scroll {
    overflow-x: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-bottom: 0.5rem;
  }
  th,
  td {
    text-align: start;
    padding: 0.4rem 0.5rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
  thead th {
    font-size: 0.8125rem;
    color: var(--muted);
    white-space: nowrap;
  }
  tbody th {
    font-weight: 600;
  }
  .num {
    text-align: end;
    white-space: nowrap;
  }
  .chart-col {
    width: 40%;
    min-width: 3rem;
    vertical-align: middle;
  }
  table.funnel thead th {
    white-space: normal;
  }
  code {
    font-size: 0.875em;
    overflow-wrap: anywhere;
  }
  th code {
    display: block;
    font-size: 0.75rem;
    color: var(--muted);
    font-weight: normal;
    word-break: break-all;
  }
  .tag {
    display: inline-block;
    font-size: 0.75rem;
    border: 1px solid var(--line);
    border-radius: 1rem;
    padding: 0 0.5rem;
    margin-inline-start: 0.25rem;
    font-weight: normal;
  }
  svg.bar {
    display: block;
  }
  svg .track {
    fill: var(--track);
  }
  svg.bar .fill {
    fill: var(--sent);
  }
  svg.requested .fill {
    fill: var(--requested);
  }
  svg.delivered .fill {
    fill: var(--delivered);
  }
  svg.verified .fill {
    fill: var(--verified);
  }
  svg.refused .fill {
    fill: var(--refused);
  }
  .headline {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1.5rem;
    margin: 0 0 0.75rem;
  }
  .headline div {
    display: flex;
    flex-direction: column;
  }
  .headline dt {
    color: var(--muted);
    font-size: 0.8125rem;
  }
  .headline dd {
    margin: 0;
    font-size: 1.5rem;
    font-weight: 700;
  }
  figure.hourly {
    margin: 0;
  }
  figure.hourly svg {
    display: block;
    background: var(--track);
    border-radius: 0.25rem;
  }
  figure.hourly rect.sent,
  .swatch.sent {
    fill: var(--sent);
    background: var(--sent);
  }
  figure.hourly rect.verified,
  .swatch.verified {
    fill: var(--verified);
    background: var(--verified);
  }
  figcaption {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
    margin-top: 0.25rem;
  }
  .axis {
    margin-inline-start: auto;
  }
  .swatch {
    display: inline-block;
    width: 0.75rem;
    height: 0.75rem;
    border-radius: 2px;
    margin-inline-end: 0.25rem;
    vertical-align: -1px;
  }
  details summary {
    cursor: pointer;
    margin-top: 0.5rem;
    color: var(--accent);
  }
  meter {
    width: 100%;
    height: 1.25rem;
    margin: 0.25rem 0;
  }
  .period-spend {
    margin: 0.25rem 0 0.75rem;
  }
  .message {
    border-radius: 0.375rem;
    padding: 0.75rem 1rem;
    margin: 0 0 1rem;
    background: var(--danger-bg);
    border-inline-start: 4px solid var(--danger);
  }
  .message.warn {
    background: var(--warn-bg);
    border-color: var(--refused);
  }
  .message p {
    margin: 0 0 0.5rem;
  }
  .message p:last-child {
    margin: 0;
  }
  .inline-error {
    color: var(--danger);
    margin: 0.5rem 0 0;
  }
  .loading {
    text-align: center;
    padding: 4rem 1rem;
    color: var(--muted);
  }
  dialog {
    border: 1px solid var(--line);
    border-radius: 0.5rem;
    background: var(--card);
    color: var(--text);
    max-width: min(28rem, calc(100vw - 2rem));
    padding: 1.25rem;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.5);
  }
  dialog .toolbar {
    justify-content: end;
    margin-top: 1rem;
  }
  ul.allow {
    list-style: none;
    padding: 0;
    margin: 0 0 1rem;
  }
  ul.allow li {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
    padding: 0.4rem 0;
    border-bottom: 1px solid var(--line);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (max-width: 30rem) {
    .chart-col {
      width: 30%;
    }
    th,
    td {
      padding: 0.35rem 0.3rem;
    }
  }
`
