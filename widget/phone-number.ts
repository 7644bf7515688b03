/**
 * Everything the widget does with libphonenumber-js, in one module the element imports lazily:
 * neither this code nor the metadata (fetched from the server's `/metadata.json`, already cut to
 * the allowed countries) is on the path to first paint.
 *
 * The server's metadata leaves out national-number and number-type patterns (they weigh a third of
 * it): the widget formats and checks lengths; the server, with full metadata, rules on validity.
 */
import { AsYouType, getCountryCallingCode, getExampleNumber } from 'libphonenumber-js/core'
import type { CountryCode, Examples, MetadataJson } from 'libphonenumber-js/core'

/**
 * What `GET {endpoint}/metadata.json` answers. `examples` is one string: each country's example
 * number in the order of `metadata.countries`, comma-separated (an object keyed by country from a
 * server of an earlier version, still cached, works too).
 */
export interface PhoneData {
  metadata: MetadataJson
  examples: string | Examples
}

export type LengthProblem = 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' | 'INVALID_COUNTRY' | 'NOT_A_NUMBER'

export interface FormattedNumber {
  /** What the input should show. */
  text: string
  /** The country the number belongs to, when the input is international and says so. */
  country: string | undefined
  /** E.164, when there are enough digits to form one. */
  e164: string | undefined
  /** Undefined when the length is possible for the country. */
  problem: LengthProblem | undefined
  /** The national form, once an international number is complete (to show beside its country). */
  national: string | undefined
}

/**
 * Puts back what the server's metadata leaves out because it can be derived
 * (server/http/widget-routes.ts): each country's calling code, from `country_calling_codes`, and
 * the international prefix when it is the common "00". Changes `metadata` in place and returns it.
 */
export function expandWidgetMetadata(metadata: MetadataJson): MetadataJson {
  const countries = metadata.countries as Record<string, unknown[]>
  for (const [code, holders] of Object.entries(metadata.country_calling_codes as Record<string, string[]>)) {
    for (const country of holders) {
      const entry = countries[country]
      if (!entry) continue
      entry[0] = code
      entry[1] ||= '00'
    }
  }
  return metadata
}

export function createPhoneTools({ metadata: compact, examples: packed }: PhoneData) {
  const metadata = expandWidgetMetadata(compact)
  const callingCodes = metadata.country_calling_codes as Record<string, string[]>
  const countries = Object.keys(metadata.countries)
  const examples =
    typeof packed == 'string'
      ? (Object.fromEntries(packed.split(',').map((number, index) => [countries[index], number])) as Examples)
      : packed

  /** Undefined for a country the metadata doesn't hold. */
  function callingCode(country: string): string | undefined {
    return country in metadata.countries ? getCountryCallingCode(country as CountryCode, metadata) : undefined
  }

  /**
   * Formats what was typed or pasted. A leading `+` or `00` makes it international; its country
   * then comes from the number (for shared calling codes, the current country if it shares it,
   * else the code's main country).
   */
  function format(input: string, country: string): FormattedNumber {
    const international = /^\s*(\+|00)/.test(input)
    const typed = international ? input.replace(/^\s*(\+|00)/, '+') : input
    const formatter = new AsYouType(international ? undefined : (country as CountryCode), metadata)
    const text = formatter.input(typed)
    const code = formatter.getCallingCode()
    const candidates = (code && callingCodes[code]) || []
    const problem = formatter.validateLength()
    return {
      text,
      country: international
        ? (formatter.getCountry() ?? (candidates.includes(country) ? country : candidates[0]))
        : country,
      e164: formatter.getNumberValue(),
      problem,
      national: international && !problem ? formatter.getNumber()?.formatNational() : undefined,
    }
  }

  return {
    /** Every country the metadata holds. */
    countries,
    callingCode,
    format,
    /** A mobile number for the placeholder, formatted as people write it in that country. */
    example: (country: string) =>
      getExampleNumber(country as CountryCode, examples, metadata)?.formatNational(),
  }
}

export type PhoneTools = ReturnType<typeof createPhoneTools>
