/** The allow-list: numbers and 1k ranges the send policies never refuse; add with a note, remove. */
import { html, nothing, type TemplateResult } from 'lit'
import { dateTime } from './format.js'
import type { AllowListEntry } from './types.js'

export interface AllowListView {
  entries: AllowListEntry[]
  error: string | undefined
  onAdd: (entry: string, note: string | undefined) => Promise<boolean>
  onRemove: (entry: string) => Promise<boolean>
}

export function allowListSection(view: AllowListView): TemplateResult {
  const add = async (event: SubmitEvent) => {
    event.preventDefault()
    const form = event.target as HTMLFormElement
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim()
    const entry = field('allow-entry').replace(/[\s().-]/g, '')
    if (entry && (await view.onAdd(entry, field('allow-note') || undefined))) form.reset()
  }
  return html`${
      view.entries.length === 0
        ? html`<p class="empty">The allow-list is empty.</p>`
        : html`<ul class="allow">
            ${view.entries.map(
              (item) =>
                html`<li data-entry=${item.entry}>
                  <span>
                    <strong>${item.entry}</strong>
                    ${item.note ? html` — ${item.note}` : nothing}
                    <span class="hint">
                      ${
                        item.source === 'options'
                          ? '(from the options: a restart changes it)'
                          : item.until
                            ? `(until ${dateTime(item.until)})`
                            : ''
                      }
                    </span>
                  </span>
                  ${
                    item.source === 'store'
                      ? html`<button
                          type="button"
                          class="secondary"
                          @click=${() => view.onRemove(item.entry)}
                        >
                          Remove<span class="visually-hidden"> ${item.entry}</span>
                        </button>`
                      : nothing
                  }
                </li>`,
            )}
          </ul>`
    }
    <form class="row" @submit=${add}>
      <div class="field">
        <label for="allow-entry">Number or 1k range</label>
        <input
          id="allow-entry"
          name="allow-entry"
          type="text"
          autocomplete="off"
          spellcheck="false"
          placeholder="+385911234567 or +385911234xxx"
          required
        />
      </div>
      <div class="field">
        <label for="allow-note">Note (optional)</label>
        <input id="allow-note" name="allow-note" type="text" autocomplete="off" maxlength="200" />
      </div>
      <button type="submit">Add</button>
    </form>
    ${view.error ? html`<p class="inline-error" role="alert">${view.error}</p>` : nothing}`
}
