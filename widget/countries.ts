/** Country helpers that need no metadata: flags, localised names, the default guess. */

/**
 * The flag emoji: two regional-indicator letters, no image bytes. Codes come upper case (the server
 * accepts only those; the guess and libphonenumber-js make only those).
 */
export function flag(country: string): string {
  return String.fromCodePoint(...[...country].map((letter) => 0x1f1a5 + letter.charCodeAt(0)))
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
