/**
 * The Node entry's signatures and MACs: node:crypto's, synchronous. Web Crypto on Node hands each
 * one to the thread pool and back: about twice the CPU of a token's signature, ten times a MAC's.
 */
import { createHmac, createPrivateKey, sign, type JsonWebKey as NodeJsonWebKey } from 'node:crypto'
import type { HmacSha256 } from '../core/pin.js'
import type { JwsSigner } from '../core/token.js'

export const nodeJwsSigner: JwsSigner = (privateJwk, algorithm) => {
  const key = createPrivateKey({ key: privateJwk as NodeJsonWebKey, format: 'jwk' })
  // JWS wants ECDSA's r ‖ s (IEEE P1363), not node's default DER.
  return algorithm === 'EdDSA'
    ? (input) => sign(null, input, key)
    : (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
}

export const nodeHmacSha256: HmacSha256 = (key) => {
  const copy = Uint8Array.from(key)
  return (message) => createHmac('sha256', copy).update(message).digest()
}
