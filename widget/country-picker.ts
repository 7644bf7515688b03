/**
 * The country picker: a button that opens a search box (ARIA combobox) over a listbox of the
 * allowed countries, with localised names, emoji flags and calling codes. Arrow keys, Home/End,
 * PageUp/PageDown, Enter and Escape work as in the WAI-ARIA combobox pattern.
 */
import { html, nothing } from 'lit'
import { countryName, flag, searchable } from './countries.js'
import type { PhoneStep } from './phone-step.js'
import type { TwoFactorAuth } from './two-factor-auth.js'

const PAGE = 8

export class CountryPicker {
  open = false
  query = ''
  /** The option the keyboard is on (aria-activedescendant). */
  active = ''
  #sorted: { key: string; list: string[] } = { key: '', list: [] }

  constructor(
    private readonly host: TwoFactorAuth,
    private readonly phone: PhoneStep,
  ) {}

  /** The allowed countries sorted by name in the widget's language, filtered by the search. */
  get options(): string[] {
    const language = this.host.language
    const countries = this.phone.countries
    const key = `${language}|${countries.join()}`
    if (this.#sorted.key !== key) {
      const collator = new Intl.Collator(language)
      const list = [...countries].sort((a, b) =>
        collator.compare(countryName(a, language), countryName(b, language)),
      )
      this.#sorted = { key, list }
    }
    const query = searchable(this.query.trim())
    if (!query) return this.#sorted.list
    const digits = query.replace(/^\+/, '')
    // Names that start with the query first, then a word in them, then anywhere ("ger": Germany, Algeria).
    const rank = (country: string): number => {
      const name = searchable(countryName(country, language))
      if (name.startsWith(query) || country.toLowerCase() === query) return 0
      if (name.includes(` ${query}`)) return 1
      if (name.includes(query)) return 2
      return /^\d+$/.test(digits) && this.phone.tools?.callingCode(country)?.startsWith(digits) ? 0 : 3
    }
    return this.#sorted.list
      .map((country) => ({ country, rank: rank(country) }))
      .filter((entry) => entry.rank < 3)
      .sort((a, b) => a.rank - b.rank)
      .map((entry) => entry.country)
  }

  #element<T extends HTMLElement>(selector: string): T | null {
    return this.host.renderRoot.querySelector<T>(selector)
  }

  async show(): Promise<void> {
    this.open = true
    this.query = ''
    this.active = this.phone.country
    this.host.requestUpdate()
    await this.host.updateComplete
    this.#element('#country-search')?.focus()
    this.#scrollToActive()
  }

  async hide(focus: '#phone' | '#country' | null): Promise<void> {
    if (!this.open) return
    this.open = false
    this.host.requestUpdate()
    await this.host.updateComplete
    if (focus) this.#element(focus)?.focus()
  }

  #choose(country: string): void {
    this.phone.pickCountry(country)
    void this.hide('#phone')
  }

  #scrollToActive(): void {
    this.#element(`#country-${this.active}`)?.scrollIntoView({ block: 'nearest' })
  }

  async #move(to: number): Promise<void> {
    const options = this.options
    if (!options.length) return
    this.active = options[Math.max(0, Math.min(options.length - 1, to))]!
    this.host.requestUpdate()
    await this.host.updateComplete
    this.#scrollToActive()
  }

  #onSearchKeydown = (event: KeyboardEvent): void => {
    const options = this.options
    const index = options.indexOf(this.active)
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + PAGE,
      PageUp: index - PAGE,
      Home: 0,
      End: options.length - 1,
    }
    const to = moves[event.key]
    if (to !== undefined) {
      event.preventDefault()
      void this.#move(to)
    } else if (event.key === 'Enter') {
      event.preventDefault()
      if (this.active) this.#choose(this.active)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      void this.hide('#country')
    }
  }

  #onSearchInput = (event: InputEvent): void => {
    this.query = (event.target as HTMLInputElement).value
    this.active = this.options[0] ?? ''
    this.host.requestUpdate()
  }

  #onButtonKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      void this.show()
    }
  }

  #onFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null
    if (!next || !this.#element('.popup')?.contains(next)) void this.hide(null)
  }

  renderButton() {
    const { host, phone } = this
    const t = host.t
    const country = phone.country
    const code = phone.tools?.callingCode(country)
    const single = host.config?.allowedCountries?.length === 1
    // The name comes from the content ("Country: Croatia +385"), so it contains what is visible.
    const content = html`<span class="visually-hidden"
        >${t.country}: ${countryName(country, host.language)}</span
      >
      <span class="flag" aria-hidden="true">${flag(country)}</span>
      <span class="dial" dir="ltr">${code ? `+${code}` : ''}</span>`
    // With a single allowed country there is nothing to pick: show it, don't offer a control.
    if (single) return html`<span class="country" part="country-button">${content}</span>`
    return html`<button
      id="country"
      type="button"
      class="country"
      part="country-button"
      aria-haspopup="listbox"
      aria-expanded=${this.open ? 'true' : 'false'}
      @click=${() => (this.open ? this.hide('#country') : this.show())}
      @keydown=${this.#onButtonKeydown}
    >
      ${content}<span aria-hidden="true">▾</span>
    </button>`
  }

  renderPopup() {
    if (!this.open) return nothing
    const { host, phone } = this
    const t = host.t
    const options = this.options
    return html`<div class="popup" part="country-popup" @focusout=${this.#onFocusOut}>
      <input
        id="country-search"
        part="input country-search"
        type="search"
        role="combobox"
        autocomplete="off"
        aria-label=${t.searchCountries}
        placeholder=${t.searchCountries}
        aria-expanded="true"
        aria-controls="countries"
        aria-autocomplete="list"
        aria-activedescendant=${this.active ? `country-${this.active}` : nothing}
        .value=${this.query}
        @input=${this.#onSearchInput}
        @keydown=${this.#onSearchKeydown}
      />
      <ul id="countries" role="listbox" aria-label=${t.country} part="country-list">
        ${options.map((country) => {
          const code = phone.tools?.callingCode(country)
          return html`<li
            id="country-${country}"
            role="option"
            part="country-option"
            aria-selected=${country === this.active ? 'true' : 'false'}
            class=${country === phone.country ? 'current' : ''}
            @mousedown=${(event: Event) => event.preventDefault()}
            @click=${() => this.#choose(country)}
          >
            <span class="flag" aria-hidden="true">${flag(country)}</span>
            <span class="name">${countryName(country, host.language)}</span>
            <span class="dial" dir="ltr">${code ? `+${code}` : ''}</span>
          </li>`
        })}
      </ul>
      ${options.length ? nothing : html`<p class="hint" role="status">${t.noCountries}</p>`}
    </div>`
  }
}
