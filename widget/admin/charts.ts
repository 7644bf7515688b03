/**
 * Hand-built SVG charts, smaller than any charting library for what the page draws (bars and
 * columns) and accessible by construction: the funnel's bars sit inside the table that states the
 * figures, and the hourly columns are one labelled image with a table behind a disclosure.
 */
import { html, svg, type TemplateResult } from 'lit'
import { count, percent } from './format.js'
import { scrollTable } from './sections.js'
import type { Funnel, HourPoint } from './types.js'

const STEPS = [
  ['requested', 'Requested', 'Codes asked for that reached the policies'],
  ['sent', 'Sent', 'Accepted by an SMS provider'],
  ['delivered', 'Delivered', 'Reported delivered by the provider'],
  ['verified', 'Verified', 'The right code was typed'],
] as const

/** A bar as wide as `part` is of `whole`: a percentage width, so it follows the column's width. */
function bar(part: number, whole: number, kind: string): TemplateResult {
  const width = whole > 0 ? Math.max(0, Math.min(100, (part / whole) * 100)) : 0
  return html`<svg class="bar ${kind}" aria-hidden="true" focusable="false" width="100%" height="16">
    ${svg`<rect class="track" x="0" y="0" width="100%" height="16" rx="3"></rect>
      <rect class="fill" x="0" y="0" width="${width.toFixed(2)}%" height="16" rx="3"></rect>`}
  </svg>`
}

/** The funnel as a table whose last column draws each step against the widest one. */
export function funnelTable(funnel: Funnel, caption: string): TemplateResult {
  const widest = Math.max(funnel.requested, funnel.sent, funnel.delivered, funnel.verified)
  return scrollTable(
    'Funnel',
    html`<table class="funnel">
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col" class="num">Count</th>
          <th scope="col" class="num">Of the step before</th>
          <th scope="col" class="chart-col"><span class="visually-hidden">Bar</span></th>
        </tr>
      </thead>
      <tbody>
        ${STEPS.map(([key, label, hint], index) => {
          const before = index === 0 ? null : funnel[STEPS[index - 1]![0]]
          return html`<tr>
            <th scope="row"><span title=${hint}>${label}</span></th>
            <td class="num" data-step=${key}>${count(funnel[key])}</td>
            <td class="num">${before === null ? '' : percent(before > 0 ? funnel[key] / before : null)}</td>
            <td class="chart-col">${bar(funnel[key], widest, key)}</td>
          </tr>`
        })}
      </tbody>
    </table>`,
  )
}

/** `2026-11-30T19` for each of the last `hours` hours (UTC), oldest first. */
export function hourKeys(hours: number, now: number): string[] {
  const current = Math.floor(now / 3_600_000) * 3_600_000
  return Array.from({ length: hours }, (_, i) =>
    new Date(current - (hours - 1 - i) * 3_600_000).toISOString().slice(0, 13),
  )
}

const hourLabel = (key: string) =>
  new Date(`${key}:00:00Z`).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  })

/** Sent (full column) and verified (inner column) per hour, every hour of the period drawn. */
export function hourlyChart(series: HourPoint[], hours: number, now: number): TemplateResult {
  const byHour = new Map(series.map((point) => [point.hour, point]))
  const points = hourKeys(hours, now).map(
    (hour) => byHour.get(hour) ?? { hour, requested: 0, sent: 0, delivered: 0, verified: 0, refused: 0 },
  )
  const top = Math.max(1, ...points.map((p) => p.sent))
  const step = 10
  const totalSent = points.reduce((sum, p) => sum + p.sent, 0)
  const totalVerified = points.reduce((sum, p) => sum + p.verified, 0)
  const totalRefused = points.reduce((sum, p) => sum + p.refused, 0)
  const peak = points.reduce((best, p) => (p.sent > best.sent ? p : best), points[0]!)
  const label =
    `Sends per hour over the last ${hours === 1 ? 'hour' : `${hours} hours`}: ` +
    `${count(totalSent)} sent, ${count(totalVerified)} verified, ${count(totalRefused)} refused` +
    (peak.sent > 0 ? `; busiest hour ${hourLabel(peak.hour)} with ${count(peak.sent)} sent.` : '.')
  const height = (value: number) => (value / top) * 100
  return html`<figure class="hourly">
    <svg
      role="img"
      aria-label=${label}
      viewBox="0 0 ${points.length * step} 100"
      preserveAspectRatio="none"
      width="100%"
      height="120"
    >
      ${points.map(
        (
          p,
          i,
        ) => svg`<rect class="sent" x=${i * step + 1} y=${100 - height(p.sent)} width=${step - 2} height=${height(p.sent)}></rect>
          <rect class="verified" x=${i * step + 3} y=${100 - height(p.verified)} width=${step - 6} height=${height(p.verified)}></rect>`,
      )}
    </svg>
    <figcaption>
      <span class="legend"><span class="swatch sent"></span>Sent</span>
      <span class="legend"><span class="swatch verified"></span>Verified</span>
      <span class="axis">${hourLabel(points[0]!.hour)} – ${hourLabel(points.at(-1)!.hour)}</span>
    </figcaption>
    <details>
      <summary>Hours as a table</summary>
      <div class="scroll" tabindex="0" role="region" aria-label="Hours as a table">
        <table>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col" class="num">Requested</th>
              <th scope="col" class="num">Sent</th>
              <th scope="col" class="num">Delivered</th>
              <th scope="col" class="num">Verified</th>
              <th scope="col" class="num">Refused</th>
            </tr>
          </thead>
          <tbody>
            ${points
              .filter((p) => p.requested + p.sent + p.delivered + p.verified + p.refused > 0)
              .reverse()
              .map(
                (p) =>
                  html`<tr>
                    <th scope="row">${hourLabel(p.hour)}</th>
                    <td class="num">${count(p.requested)}</td>
                    <td class="num">${count(p.sent)}</td>
                    <td class="num">${count(p.delivered)}</td>
                    <td class="num">${count(p.verified)}</td>
                    <td class="num">${count(p.refused)}</td>
                  </tr>`,
              )}
          </tbody>
        </table>
      </div>
    </details>
  </figure>`
}
