/**
 * How many SMS segments a text costs, per GSM 03.38 / 3GPP TS 23.040: GSM-7 when every character is
 * in the default alphabet or its extension table, UCS-2 otherwise. Providers bill per segment, so the
 * kit reports this per message and keeps its templates inside one segment where it can.
 */

// The GSM 03.38 default alphabet, in table order (0x1B, the escape to the extension table, left out:
// a literal ESC in a text is not something we can send as GSM-7).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ' +
  'ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'

// Extension table: each costs two septets (ESC + the character).
const GSM_EXTENSION = '\f^{}\\[~]|€'

const basicSet = new Set(GSM_BASIC)
const extensionSet = new Set(GSM_EXTENSION)

/** One segment alone; with a concatenation header (UDH, 6 bytes) each part holds less. */
const LIMITS = {
  'GSM-7': { single: 160, multipart: 153 },
  'UCS-2': { single: 70, multipart: 67 },
} as const

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2'
  /** Segments billed; 0 for an empty text. */
  segments: number
  /** Length in the encoding's units: septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  characters: number
}

export function countSegments(text: string): SegmentCount {
  const gsmUnits = gsmSeptets(text)
  if (gsmUnits) return { encoding: 'GSM-7', characters: sum(gsmUnits), segments: pack(gsmUnits, 'GSM-7') }
  // One unit per UTF-16 code unit, but a surrogate pair (an emoji) is kept whole within one segment.
  const ucsUnits: number[] = []
  for (const character of text) ucsUnits.push(character.length)
  return { encoding: 'UCS-2', characters: text.length, segments: pack(ucsUnits, 'UCS-2') }
}

/** Septets per character, or null when a character is outside GSM-7. */
function gsmSeptets(text: string): number[] | null {
  const units: number[] = []
  for (const character of text) {
    if (basicSet.has(character)) units.push(1)
    else if (extensionSet.has(character)) units.push(2)
    else return null
  }
  return units
}

// Phones and SMSCs never split an escape sequence or a surrogate pair across two segments, so a
// segment can end one unit short; counting greedily, character by character, gives the billed count.
function pack(units: number[], encoding: SegmentCount['encoding']): number {
  const total = sum(units)
  const limit = LIMITS[encoding]
  if (total === 0) return 0
  if (total <= limit.single) return 1
  let segments = 1
  let used = 0
  for (const size of units) {
    if (used + size > limit.multipart) {
      segments += 1
      used = 0
    }
    used += size
  }
  return segments
}

function sum(values: number[]): number {
  let total = 0
  for (const value of values) total += value
  return total
}
