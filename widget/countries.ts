/** Country helpers that need no metadata: flags, localised names, the default guess. */
import { html } from 'lit'

/** Whether this system draws a flag emoji as one glyph; measured once, on the first flag. */
let drawsFlags: boolean | undefined

/**
 * The flag emoji (two regional-indicator letters, no image bytes) in a span for the eye only. Without
 * an emoji font the two letters are drawn as two boxes, twice as wide as one flag: the ISO code
 * ("GB") is shown instead, as a small badge. Codes come upper case (the server accepts only those;
 * the guess and libphonenumber-js make only those).
 */
export function flag(country: string) {
  const emoji = String.fromCodePoint(...[...country].map((letter) => 0x1f1a5 + letter.charCodeAt(0)))
  drawsFlags ??= ((canvas) =>
    canvas.measureText(emoji).width < 1.5 * canvas.measureText(emoji.slice(0, 2)).width)(
    document.createElement('canvas').getContext('2d')!,
  )
  return html`<span class="flag" aria-hidden="true">${drawsFlags ? emoji : html`<b>${country}</b>`}</span>`
}

const displayNames: Record<string, Intl.DisplayNames> = {}

export function countryName(country: string, language: string): string {
  return (
    (displayNames[language] ??= new Intl.DisplayNames([language, 'en'], { type: 'region' })).of(country) ??
    country
  )
}

/**
 * The country to start with: the `default-country` attribute, else the first of the browser's
 * languages that names (or implies: "hr" → HR) an allowed country, else the first allowed one.
 * Never an IP lookup.
 */
export function guessCountry(
  allowed: readonly string[] | null,
  preferred: string | null | undefined,
  languages: readonly string[],
): string {
  const isAllowed = (country: string | undefined): country is string =>
    !!country && /^[A-Z]{2}$/.test(country) && (!allowed || allowed.includes(country))
  const wanted = preferred?.toUpperCase()
  if (isAllowed(wanted)) return wanted
  for (const tag of languages) {
    try {
      const region = new Intl.Locale(tag).maximize().region
      if (isAllowed(region)) return region
    } catch {
      // a malformed language tag says nothing about the country
    }
  }
  return allowed?.[0] ?? 'US'
}
