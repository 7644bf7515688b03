/**
 * A conservative guess at how much randomness a secret holds, to refuse placeholders in production
 * (`changeme-changeme-…`, `0123456789abcdef…`, `1234…`, a sentence with "password" in it). Like
 * zxcvbn, only cheaper: a character the ones before it predict — a repeat (`aaaa`), the third of a
 * run (`abc`, `987`), or the end of a three-character piece seen earlier (`…changeme-changeme`) —
 * adds nothing; every other character adds log2 of the alphabet its character classes span.
 * Random secrets are barely touched (`openssl rand -base64 32` ≈ 265 bits, `-hex 16` ≈ 150).
 */

/**
 * The least estimated randomness production accepts. Below 128 on purpose: the estimate of a truly
 * 128-bit secret (`openssl rand -hex 16`) dips to ~103 in 1 of 100,000 draws (chance runs and
 * repeats), while the placeholders above score under 70.
 */
export const MIN_SECRET_BITS = 100

// Words that mark a value someone meant to replace. Five letters or more, so that a random base64
// secret holds one by chance with odds below one in a million.
const PLACEHOLDER_WORDS = [
  'changeme',
  'change-me',
  'change_me',
  'password',
  'passw0rd',
  'secret',
  'placeholder',
  'example',
  'default',
  'replace',
  'qwerty',
  'letmein',
  'dummy',
  'sample',
  'insert',
  'foobar',
]

function alphabetBits(secret: string): number {
  let size = 0
  if (/[a-z]/.test(secret)) size += 26
  if (/[A-Z]/.test(secret)) size += 26
  if (/[0-9]/.test(secret)) size += 10
  if (/[^a-zA-Z0-9]/.test(secret)) size += 33
  return Math.log2(Math.max(size, 2))
}

export function estimateSecretBits(secret: string): number {
  const seen = new Set<string>()
  let unpredicted = 0
  for (let i = 0; i < secret.length; i++) {
    const step = i > 0 ? secret.charCodeAt(i) - secret.charCodeAt(i - 1) : NaN
    const previousStep = i > 1 ? secret.charCodeAt(i - 1) - secret.charCodeAt(i - 2) : NaN
    const piece = i > 1 ? secret.slice(i - 2, i + 1) : ''
    const predicted =
      step === 0 || (Math.abs(step) <= 2 && step === previousStep) || (piece !== '' && seen.has(piece))
    if (piece) seen.add(piece)
    if (!predicted) unpredicted++
  }
  return unpredicted * alphabetBits(secret)
}

/** Why a secret is too weak for production, or undefined when it looks random enough. */
export function secretWeakness(secret: string): string | undefined {
  const lower = secret.toLowerCase()
  const word = PLACEHOLDER_WORDS.find((candidate) => lower.includes(candidate))
  if (word) return `contains "${word}", which marks a placeholder`
  const bits = Math.floor(estimateSecretBits(secret))
  if (bits < MIN_SECRET_BITS)
    return `holds about ${bits} bits of randomness (runs, repeats or a small alphabet); at least ${MIN_SECRET_BITS} are needed`
  return undefined
}
