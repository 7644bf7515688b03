/**
 * Content negotiation for the files the kit serves (the widget, its metadata, the operator
 * console): which of the encodings on hand a request accepts best, and the response that carries
 * it. Web APIs only.
 */

/** The encodings the kit keeps files in besides identity, best first. */
export type ContentEncoding = 'br' | 'gzip'
export const CONTENT_ENCODINGS: readonly ContentEncoding[] = ['br', 'gzip']

/**
 * The encodings `Accept-Encoding` accepts, best first: by q-value, ties broken br > gzip (brotli
 * is ~15 % smaller on the widget). `q=0` refuses one; `*` stands for every one not named. No
 * header, or identity alone, gives none: identity is always the fallback, as RFC 9110 §12.5.3 allows.
 */
export function acceptedEncodings(header: string | undefined): ContentEncoding[] {
  if (!header) return []
  const q = new Map<string, number>()
  for (const part of header.split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase())
    if (!name) continue
    const weight = parameters.find((parameter) => parameter.startsWith('q='))
    const value = weight === undefined ? 1 : Number(weight.slice(2))
    q.set(name, Number.isFinite(value) ? value : 0)
  }
  const weightOf = (encoding: ContentEncoding) => q.get(encoding) ?? q.get('*') ?? 0
  return CONTENT_ENCODINGS.filter((encoding) => weightOf(encoding) > 0).sort(
    (a, b) => weightOf(b) - weightOf(a),
  )
}

/**
 * A response with an encoded body. `encodeBody: 'manual'` tells workerd that the bytes are already
 * encoded: without it, a Worker's runtime encodes a body again by its `Content-Encoding`. Other
 * runtimes ignore the field.
 */
export function encodedResponse(body: Uint8Array, encoding: ContentEncoding, headers: HeadersInit): Response {
  const response = new Response(body as BodyInit, { headers, encodeBody: 'manual' } as ResponseInit)
  response.headers.set('Content-Encoding', encoding)
  response.headers.append('Vary', 'Accept-Encoding')
  return response
}

/** CompressionStream's format names, as the runtime's types (DOM or workerd) spell them. */
type Format = ConstructorParameters<typeof CompressionStream>[0]

/** The bytes of `text` in `encoding` by CompressionStream; undefined where the runtime lacks it. */
export async function compressText(text: string, encoding: ContentEncoding): Promise<Uint8Array | undefined> {
  let stream: CompressionStream
  try {
    // Node 20 and workerd have gzip; brotli only newer runtimes (a TypeError elsewhere).
    stream = new CompressionStream((encoding === 'br' ? 'brotli' : 'gzip') as Format)
  } catch {
    return undefined
  }
  const compressed = new Blob([text]).stream().pipeThrough(stream)
  return new Uint8Array(await new Response(compressed).arrayBuffer())
}
