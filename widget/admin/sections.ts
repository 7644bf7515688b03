/**
 * The dashboard's read-only sections, as functions of the data: tables by country, provider and
 * reason, the spend meter, the blocks and a number's verifications. The element owns the state and
 * the actions; these only draw.
 */
import { html, nothing, type TemplateResult } from 'lit'
import {
  amount,
  count,
  countryName,
  dateTime,
  fromNow,
  percent,
  reasonText,
  scopeText,
  stateText,
} from './format.js'
import type { Block, CountryRow, NumberHistory, ProviderRow, Refusal, Spend } from './types.js'

/** A table that scrolls sideways on its own (focusable, so keyboards can scroll it too), never the page. */
export function scrollTable(label: string, table: TemplateResult): TemplateResult {
  return html`<div class="scroll" tabindex="0" role="region" aria-label=${label}>${table}</div>`
}

const none = (text: string) => html`<p class="empty">${text}</p>`

export function countryTable(rows: CountryRow[]): TemplateResult {
  if (rows.length === 0) return none('No sends to any country in this period.')
  return scrollTable(
    'By country',
    html`<table>
      <thead>
        <tr>
          <th scope="col">Country</th>
          <th scope="col" class="num">Requested</th>
          <th scope="col" class="num">Sent</th>
          <th scope="col" class="num">Delivered</th>
          <th scope="col" class="num">Verified</th>
          <th scope="col" class="num">Conversion</th>
          <th scope="col" class="num">Spend</th>
        </tr>
      </thead>
      <tbody>
        ${[...rows]
          .sort((a, b) => b.sent - a.sent || a.country.localeCompare(b.country))
          .map(
            (row) =>
              html`<tr data-country=${row.country}>
                <th scope="row">${countryName(row.country)}</th>
                <td class="num">${count(row.requested)}</td>
                <td class="num">${count(row.sent)}</td>
                <td class="num">${count(row.delivered)}</td>
                <td class="num">${count(row.verified)}</td>
                <td class="num">${percent(row.conversion)}</td>
                <td class="num">${amount(row.spend)}</td>
              </tr>`,
          )}
      </tbody>
    </table>`,
  )
}

export function providerTable(rows: ProviderRow[]): TemplateResult {
  if (rows.length === 0) return none('No provider was called in this period.')
  return scrollTable(
    'By provider',
    html`<table>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col" class="num">Sent</th>
          <th scope="col" class="num">Delivered</th>
          <th scope="col" class="num">Undelivered</th>
          <th scope="col" class="num">Failed calls</th>
          <th scope="col" class="num">Verified</th>
          <th scope="col" class="num">Conversion</th>
          <th scope="col" class="num">Mean send time</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr data-provider=${row.provider}>
              <th scope="row">${row.provider}</th>
              <td class="num">${count(row.sent)}</td>
              <td class="num">${count(row.delivered)}</td>
              <td class="num">${count(row.undelivered)}</td>
              <td class="num">${count(row.failed)}</td>
              <td class="num">${count(row.verified)}</td>
              <td class="num">${percent(row.conversion)}</td>
              <td class="num">${row.latencyMs === null ? '–' : `${count(row.latencyMs)} ms`}</td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  )
}

export function refusalTable(rows: Refusal[]): TemplateResult {
  if (rows.length === 0) return none('Nothing was refused in this period.')
  const most = Math.max(...rows.map((row) => row.count))
  return scrollTable(
    'Refusals by reason',
    html`<table>
      <thead>
        <tr>
          <th scope="col">Reason</th>
          <th scope="col" class="num">Count</th>
          <th scope="col" class="chart-col"><span class="visually-hidden">Bar</span></th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr data-reason=${row.reason}>
              <th scope="row">
                ${`${reasonText(row.reason)} `}<code>${row.reason}</code>${
                  row.shadow ? html` <span class="tag">shadow: not enforced</span>` : nothing
                }
              </th>
              <td class="num">${count(row.count)}</td>
              <td class="chart-col">
                <svg class="bar refused" aria-hidden="true" focusable="false" width="100%" height="12">
                  <rect
                    class="fill"
                    x="0"
                    y="0"
                    width="${((row.count / most) * 100).toFixed(2)}%"
                    height="12"
                    rx="3"
                  ></rect>
                </svg>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  )
}

export function spendMeter(spend: Spend): TemplateResult {
  const countries = Object.entries(spend.countries).sort(([, a], [, b]) => b.spent - a.spent)
  const share = spend.ceiling ? spend.spent / spend.ceiling : null
  return html`<div class="spend">
      <p id="spend-today">
        ${`Today (${spend.day}, UTC): `}<strong class="spent">${amount(spend.spent)}</strong>${
          spend.ceiling === null
            ? html` — no daily ceiling`
            : html` of <strong class="ceiling">${amount(spend.ceiling)}</strong> (${percent(share)})`
        }
      </p>
      ${
        spend.ceiling === null
          ? nothing
          : html`<meter
              aria-labelledby="spend-today"
              min="0"
              max=${spend.ceiling}
              value=${Math.min(spend.spent, spend.ceiling)}
              low=${spend.ceiling * 0.5}
              high=${spend.ceiling * 0.8}
              optimum="0"
            ></meter>`
      }
      <p class="period-spend">In this period: <strong>${amount(spend.periodSpend)}</strong></p>
    </div>
    ${
      countries.length === 0
        ? nothing
        : scrollTable(
            'Spend today by country',
            html`<table>
              <thead>
                <tr>
                  <th scope="col">Country</th>
                  <th scope="col" class="num">Spent today</th>
                  <th scope="col" class="num">Ceiling</th>
                </tr>
              </thead>
              <tbody>
                ${countries.map(
                  ([country, row]) =>
                    html`<tr>
                      <th scope="row">${countryName(country)}</th>
                      <td class="num">${amount(row.spent)}</td>
                      <td class="num">${row.ceiling === null ? '–' : amount(row.ceiling)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`,
          )
    }`
}

export function blockTable(blocks: Block[], now: number, onLift: (block: Block) => void): TemplateResult {
  if (blocks.length === 0) return none('No active blocks.')
  return scrollTable(
    'Active blocks',
    html`<table>
      <thead>
        <tr>
          <th scope="col">Scope</th>
          <th scope="col">Reason</th>
          <th scope="col">Until</th>
          <th scope="col"><span class="visually-hidden">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${blocks.map(
          (block) =>
            html`<tr data-scope=${block.scope}>
              <th scope="row">${`${scopeText(block.scope)} `}<code>${block.scope}</code></th>
              <td>
                ${`${reasonText(block.reason)} `}<span class="tag"
                  >${block.action === 'captcha' ? 'captcha required' : 'blocked'}</span
                >${block.level > 1 ? html` <span class="tag">level ${block.level}</span>` : nothing}
              </td>
              <td>
                <time datetime=${new Date(block.until).toISOString()}>${fromNow(block.until, now)}</time>
              </td>
              <td>
                <button type="button" class="secondary" @click=${() => onLift(block)}>
                  Lift<span class="visually-hidden"> the block on ${block.scope}</span>
                </button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  )
}

export function historyTable(history: NumberHistory): TemplateResult {
  if (history.verifications.length === 0)
    return none(`No verifications of ${history.phoneNumber} are on record.`)
  return scrollTable(
    `Verifications of ${history.phoneNumber}`,
    html`<table class="history">
      <caption>
        ${`Verifications of ${history.phoneNumber}`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Requested</th>
          <th scope="col">Status</th>
          <th scope="col">Delivery</th>
          <th scope="col" class="num">Attempts</th>
          <th scope="col" class="num">Resends</th>
          <th scope="col">Provider</th>
          <th scope="col">Country</th>
        </tr>
      </thead>
      <tbody>
        ${history.verifications.map(
          (item) =>
            html`<tr data-pin-id=${item.pinId}>
              <th scope="row">
                <time datetime=${new Date(item.createdAt).toISOString()}>${dateTime(item.createdAt)}</time>
              </th>
              <td class="status">
                ${stateText(item.status)}${item.verifiedAt ? html`<br /><small>${dateTime(item.verifiedAt)}</small>` : nothing}
              </td>
              <td>${item.deliveryStatus ? stateText(item.deliveryStatus) : '–'}</td>
              <td class="num">${count(item.attemptsUsed)}</td>
              <td class="num">${count(item.resends)}</td>
              <td>${item.provider ?? '–'}</td>
              <td>${item.country ? countryName(item.country) : '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  )
}
