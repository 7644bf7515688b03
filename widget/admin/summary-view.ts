/**
 * The signed-in console's body for one period's summary: headline figures, funnel and hours,
 * blocks, spend, refusals, number lookup, countries, providers and the allow-list. The element
 * (dashboard.ts) owns the state and the actions and hands them in.
 */
import { html, nothing, type TemplateResult } from 'lit'
import { allowListSection } from './allow-list.js'
import { funnelTable, hourlyChart } from './charts.js'
import { clockTime, count, percent } from './format.js'
import {
  blockTable,
  countryTable,
  historyTable,
  providerTable,
  refusalTable,
  spendMeter,
} from './sections.js'
import type { AllowListEntry, Block, NumberHistory, Period, Summary } from './types.js'

export const PERIODS: [Period, string][] = [
  ['hour', 'Last hour'],
  ['day', 'Last day'],
  ['week', 'Last week'],
]

export interface SummaryViewState {
  updatedAt: number | undefined
  history: NumberHistory | undefined
  lookupError: string | undefined
  allowEntries: AllowListEntry[]
  allowError: string | undefined
  onLift: (block: Block) => void
  onLookUp: (event: SubmitEvent) => void
  onAllow: (entry: string, note: string | undefined) => Promise<boolean>
  onDisallow: (entry: string) => Promise<boolean>
}

export function summaryView(summary: Summary, state: SummaryViewState): TemplateResult {
  const label = PERIODS.find(([period]) => period === summary.period)![1].toLowerCase()
  const nothingYet = summary.funnel.requested + summary.funnel.sent + summary.refusals.length === 0
  return html`<p class="updated">
      Figures for the ${label}${state.updatedAt ? `, read at ${clockTime(state.updatedAt)}` : ''}.
    </p>
    <div class="grid">
      <section class="card wide">
        <h2 id="funnel-title">Funnel</h2>
        ${nothingYet ? html`<p class="empty">No codes were asked for in the ${label} yet.</p>` : nothing}
        <dl class="headline">
          <div>
            <dt>Sent</dt>
            <dd data-figure="sent">${count(summary.funnel.sent)}</dd>
          </div>
          <div>
            <dt>Verified</dt>
            <dd data-figure="verified">${count(summary.funnel.verified)}</dd>
          </div>
          <div>
            <dt>Conversion (verified / sent)</dt>
            <dd data-figure="conversion">${percent(summary.funnel.conversion)}</dd>
          </div>
          <div>
            <dt>Active blocks</dt>
            <dd data-figure="blocks">${count(summary.blocks.length)}</dd>
          </div>
        </dl>
        ${funnelTable(summary.funnel, `Requested → sent → delivered → verified, ${label}`)}
        ${hourlyChart(summary.series, summary.hours, state.updatedAt ?? Date.now())}
      </section>
      <section class="card">
        <h2 id="blocks-title">Active blocks</h2>
        ${blockTable(summary.blocks, Date.now(), state.onLift)}
      </section>
      <section class="card">
        <h2 id="spend-title">Spend against the ceiling</h2>
        ${spendMeter(summary.spend)}
      </section>
      <section class="card">
        <h2 id="refusals-title">Refusals by reason</h2>
        ${refusalTable(summary.refusals)}
      </section>
      <section class="card">
        <h2 id="lookup-title">Number lookup</h2>
        <form class="row" @submit=${state.onLookUp}>
          <div class="field">
            <label for="lookup">Phone number (international)</label>
            <input
              id="lookup"
              name="lookup"
              type="tel"
              inputmode="tel"
              autocomplete="off"
              placeholder="+385 91 234 5678"
              required
            />
          </div>
          <button type="submit">Look up</button>
        </form>
        ${state.lookupError ? html`<p class="inline-error" role="alert">${state.lookupError}</p>` : nothing}
        ${state.history ? historyTable(state.history) : nothing}
      </section>
      <section class="card wide">
        <h2 id="countries-title">By country</h2>
        ${countryTable(summary.byCountry)}
      </section>
      <section class="card wide">
        <h2 id="providers-title">By provider</h2>
        ${providerTable(summary.byProvider)}
      </section>
      <section class="card wide">
        <h2 id="allow-title">Allow-list</h2>
        ${allowListSection({
          entries: state.allowEntries,
          error: state.allowError,
          onAdd: state.onAllow,
          onRemove: state.onDisallow,
        })}
      </section>
    </div>`
}
