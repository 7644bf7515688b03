/**
 * The open country picker: a search box (ARIA combobox) over a listbox of the allowed countries,
 * with localised names, emoji flags and calling codes. Arrow keys, Home/End, PageUp/PageDown,
 * Enter and Escape work as in the WAI-ARIA combobox pattern.
 *
 * It is a popover, in the top layer, so no `overflow: hidden` card or modal `<dialog>` around the
 * widget clips it; CSS anchor positioning puts it below the country button (above when there is no
 * room), and a small placement here does the same where anchor positioning is missing. On small
 * phones the styles make it cover the screen, with a close button, as intl-tel-input does.
 *
 * Nothing here matters until the picker opens, so it is a chunk of its own, off the path to first
 * paint (`country-picker.ts` loads it). Chunks must stand alone (see widget/build/vite.config.ts):
 * this module imports types only, and the picker hands it Lit's `html` and the entry's country
 * helpers. Its styles are here too, not in the element's: they join a widget's shadow root when its
 * list is first made.
 */
import type { html, nothing } from 'lit'
import type { countryName, flag } from '../countries.js'
import type { CountryPicker } from './country-picker.js'

/** What the list borrows from the entry instead of importing it (which would share code with it). */
export interface ListKit {
  html: typeof html
  nothing: typeof nothing
  countryName: typeof countryName
  flag: typeof flag
}

const PAGE = 8

/** Names people search by that the region's name lacks (as people type them, in any language). */
const ALIASES: Record<string, string> = { GB: 'uk', US: 'usa america', AE: 'uae emirates', NL: 'holland' }

/**
 * Plain text, tagged `css` so that the build minifies it as it does the element's styles
 * (widget/build/vite-minify-templates.ts). The private custom properties are the element's.
 */
const css = (strings: TemplateStringsArray) => strings[0]!

const styles = css`
  /* Where the popover is placed from (CSS anchor positioning). */
  .country {
    anchor-name: --country;
  }
  /* A popover (top layer, viewport-fixed) below the country button, above it when there's no room. */
  .popup {
    position-anchor: --country;
    position-area: self-block-end span-self-inline-end;
    position-try-fallbacks: flip-block;
    inset: auto;
    margin: 0.25rem 0;
    inline-size: min(20rem, 100vw - 1rem);
    display: grid;
    gap: 0.5rem;
    padding: 0.5rem;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
  }
  .popup button {
    display: none;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    max-block-size: 16rem;
    overflow-y: auto;
  }
  /* Small phones: the whole screen, the search and a close button above the list
     (important: over the script's placement where anchor positioning is missing). */
  @media (max-width: 500px) {
    .popup {
      position-area: none;
      inset: 0 !important;
      margin: 0;
      inline-size: auto;
      block-size: auto;
      border-radius: 0;
      grid: auto minmax(0, 1fr) / 1fr auto;
    }
    .popup button {
      display: block;
      border: 0;
      background: none;
    }
    ul,
    .popup p {
      grid-area: 2 / span 2;
    }
    ul {
      max-block-size: none;
    }
  }
  li {
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding: 0.45em 0.5em;
    border-radius: calc(var(--_radius) / 2);
    cursor: pointer;
  }
  li .name {
    flex: 1;
  }
  li .dial {
    opacity: 0.85;
  }
  li.current {
    font-weight: 600;
  }
  /* The option the keyboard is on (only options carry aria-selected). */
  [aria-selected='true'] {
    background: var(--_accent);
    color: var(--_accent-text);
  }
  /* Forced colours paint every background alike: the system's selection colours instead. */
  @media (forced-colors: active) {
    [aria-selected='true'] {
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
    }
  }
`

/** One sheet for every widget on the page; made when the first list is. */
let sheet: CSSStyleSheet | undefined

/** Lower case without accents, so "hrv" finds "Hrvatska" and "cote" finds "Côte d’Ivoire". */
function searchable(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

export class CountryList {
  query = ''
  /** The option the keyboard is on (aria-activedescendant). */
  active = ''
  #sorted: { key: string; list: string[] } = { key: '', list: [] }

  constructor(
    private readonly picker: CountryPicker,
    private readonly kit: ListKit,
  ) {
    if (!sheet) {
      sheet = new CSSStyleSheet()
      sheet.replaceSync(styles)
    }
    const root = picker.host.renderRoot as ShadowRoot
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
  }

  /** The allowed countries sorted by name in the widget's language, filtered by the search. */
  get options(): string[] {
    const { host, phone } = this.picker
    const { countryName } = this.kit
    const language = host.language
    const countries = phone.countries
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
    const code = /^\+?(\d+)$/.exec(query)?.[1]
    // A calling code's main country is the one a number typed as "+44…" gets: "+1" is the United
    // States before American Samoa, "+44" the United Kingdom before Guernsey.
    const main = code && phone.tools?.format(`+${code}`, '').country
    // Names that start with the query first (or the ISO code, an alias, that main country), then a
    // word in them, then anywhere ("ger": Germany, Algeria); the other countries of a calling code
    // second. An alias beats a name: "uk" is the United Kingdom before Ukraine.
    const rank = (country: string): number => {
      const name = searchable(countryName(country, language))
      if (country === main || ` ${country} ${ALIASES[country] ?? ''} `.toLowerCase().includes(` ${query} `))
        return -1
      if (name.startsWith(query)) return 0
      if (name.includes(` ${query}`)) return 1
      if (name.includes(query)) return 2
      return code && phone.tools?.callingCode(country)?.startsWith(code) ? 1 : 3
    }
    return this.#sorted.list
      .map((country) => ({ country, rank: rank(country) }))
      .filter((entry) => entry.rank < 3)
      .sort((a, b) => a.rank - b.rank)
      .map((entry) => entry.country)
  }

  #element<T extends HTMLElement>(selector: string): T | null {
    return this.picker.host.renderRoot.querySelector<T>(selector)
  }

  /** The picker has just opened: an empty search, the keyboard on the current country. */
  async opened(): Promise<void> {
    const host = this.picker.host
    this.query = ''
    this.active = this.picker.phone.country
    host.requestUpdate()
    await host.updateComplete
    this.#place()
    this.#element('#country-search')?.focus()
    this.#scrollToActive()
  }

  /** Shows the popover; places it by script only where CSS anchor positioning is missing. */
  #place(): void {
    const popup = this.#element('.popup')!
    popup.showPopover()
    if (CSS.supports('anchor-name:--a')) return
    const { top, bottom, left, right } = this.#element('.country')!.getBoundingClientRect()
    // Below the button when it fits, else above it (its margin keeps it off the button); from the
    // button's edge where the text starts (the right one, right to left), and not past the viewport.
    const width = popup.offsetWidth
    popup.style.cssText =
      (bottom + popup.offsetHeight < innerHeight ? `top:${bottom}` : `bottom:${innerHeight - top}`) +
      `px;left:${popup.matches(':dir(rtl)') ? Math.max(0, right - width) : Math.min(left, innerWidth - width)}px`
  }

  #choose(country: string): void {
    this.picker.phone.pickCountry(country)
    void this.picker.hide('#phone')
  }

  #scrollToActive(): void {
    this.#element(`#country-${this.active}`)?.scrollIntoView({ block: 'nearest' })
  }

  async #move(to: number): Promise<void> {
    const options = this.options
    if (!options.length) return
    this.active = options[Math.max(0, Math.min(options.length - 1, to))]!
    this.picker.host.requestUpdate()
    await this.picker.host.updateComplete
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
      void this.picker.hide('#country')
    }
  }

  #onSearchInput = (event: InputEvent): void => {
    this.query = (event.target as HTMLInputElement).value
    this.active = this.options[0] ?? ''
    this.picker.host.requestUpdate()
  }

  #onFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null
    if (!next || !this.#element('.popup')?.contains(next)) void this.picker.hide(null)
  }

  render() {
    const { html, nothing, countryName, flag } = this.kit
    const { host, phone } = this.picker
    const t = host.t
    const options = this.options
    // The list is no Tab stop (Chromium makes a scrolling box one): the keyboard moves through it
    // from the search field, and Tab leaves the picker. The close button (small phones only) is
    // named like the country button it stands in for, a disclosure that is open.
    return html`<div class="popup" part="country-popup" popover="manual" @focusout=${this.#onFocusOut}>
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
      <button
        type="button"
        aria-label=${t.country}
        aria-expanded="true"
        @click=${() => this.picker.hide('#country')}
      >
        ✕
      </button>
      <ul id="countries" role="listbox" aria-label=${t.country} part="country-list" tabindex="-1">
        ${options.map((country) => {
          const code = phone.tools?.callingCode(country)
          return html`<li
            id="country-${country}"
            role="option"
            part="country-option"
            aria-selected=${country === this.active}
            class=${country === phone.country ? 'current' : ''}
            @mousedown=${(event: Event) => event.preventDefault()}
            @click=${() => this.#choose(country)}
          >
            ${flag(country)}
            <span class="name">${countryName(country, host.language)}</span>
            <span class="dial" dir="ltr">${code ? `+${code}` : ''}</span>
          </li>`
        })}
      </ul>
      ${options.length ? nothing : html`<p class="hint" role="status">${t.noCountries}</p>`}
    </div>`
  }
}
