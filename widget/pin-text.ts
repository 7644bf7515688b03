/** What a PIN of each type may contain, and cleaning what people type or paste into that. */
import type { PinType } from './api-client.js'

const symbols: Record<PinType, RegExp> = {
  NUMERIC: /[^0-9]/g,
  HEX: /[^0-9A-F]/g,
  ALPHA: /[^A-Z]/g,
  ALPHANUMERIC: /[^0-9A-Z]/g,
}

/** Keeps the symbols a PIN of `type` can hold: "123 456", "١٢٣٤٥٦" and "abc-def" all come out clean. */
export function cleanPin(input: string, type: PinType): string {
  const ascii = input
    .normalize('NFKC')
    .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) & 0xf))
  return ascii.toUpperCase().replace(symbols[type], '')
}
