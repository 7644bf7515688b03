/**
 * The Node entry's token signatures: node:crypto's, synchronous. Web Crypto on Node hands each
 * signature to the thread pool and back, which costs about twice the CPU of the signature itself.
 */
import { createPrivateKey, sign, type JsonWebKey as NodeJsonWebKey } from 'node:crypto'
import type { JwsSigner } from '../core/token.js'

export const nodeJwsSigner: JwsSigner = (privateJwk, algorithm) => {
  const key = createPrivateKey({
    key: privateJwk as NodeJsonWebKey,
    format: 'jwk',
  })
  // JWS wants ECDSA's r ‖ s (IEEE P1363), not node's default DER.
  return algorithm === 'EdDSA'
    ? (input) => sign(null, input, key)
    : (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
}
