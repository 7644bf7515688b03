/**
 * The SMS text: Infobip-style `{{placeholder}}` templates, one per language, with built-in texts
 * in the widget's languages. Kept short on purpose so it fits one GSM-7 segment.
 */
const BUILT_IN_TEXTS: Record<string, string> = {
  en: '{{pin}} is your {{appName}} code. It expires in {{minutes}} min.',
  de: '{{pin}} ist Ihr {{appName}}-Code. Er läuft in {{minutes}} Min. ab.',
  fr: '{{pin}} est votre code {{appName}}. Il expire dans {{minutes}} min.',
  es: '{{pin}} es tu código de {{appName}}. Caduca en {{minutes}} min.',
  hr: '{{pin}} je vaš {{appName}} kod. Vrijedi {{minutes}} min.',
}

/** The language to write in: the requested one if there is a text for it, else the default. */
export function pickLanguage(
  requested: string | undefined,
  texts: Record<string, string> | undefined,
  fallback: string,
): string {
  const available = texts ?? BUILT_IN_TEXTS
  const base = requested?.toLowerCase().split('-')[0]
  if (base && available[base]) return base
  return available[fallback] ? fallback : 'en'
}

export function renderMessage(
  language: string,
  texts: Record<string, string> | undefined,
  values: Record<string, string>,
): string {
  const template = (texts ?? BUILT_IN_TEXTS)[language] ?? BUILT_IN_TEXTS.en!
  // Unknown placeholders are left as written, so a typo shows up in the first test SMS.
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole)
}

/**
 * The lines that let phones fill the code in by themselves, appended after the text: the Android
 * SMS Retriever hash, then the WebOTP line, which must be the message's last line
 * (`@shop.example #123456`). The host comes from configuration, never from a request.
 */
export function appendAutofillLines(
  text: string,
  pin: string,
  autofill: { webOtpHost?: string; androidAppHash?: string },
): string {
  const lines = [text]
  if (autofill.androidAppHash || autofill.webOtpHost) lines.push('')
  if (autofill.androidAppHash) lines.push(autofill.androidAppHash)
  if (autofill.webOtpHost) lines.push(`@${autofill.webOtpHost} #${pin}`)
  return lines.join('\n')
}
