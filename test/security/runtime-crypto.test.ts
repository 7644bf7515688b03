// Who makes the kit's signatures and MACs: Web Crypto by default, or the `jwsSigner` and
// `hmacSha256` a runtime entry passes (the Node entry passes node:crypto's synchronous ones).
// Whichever does, the results are the same: a token is the JWS the kit always wrote, a signature its
// own JWKS verifies; a PIN and its MAC are the same bytes, so PINs sent before an upgrade still verify.
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { deriveHmacKey, derivePin, pinMac } from '../../server/core/pin.js'
import {
  ConfigurationError,
  generateSigningKey,
  type HmacSha256,
  type JwsSigner,
} from '../../server/index.js'
import { nodeHmacSha256, nodeJwsSigner, optionsFromEnv } from '../../server/node.js'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'

const ISSUER = 'https://shop.example'
const AUDIENCE = 'shop.example'

async function verifiedToken(kit: ReturnType<typeof makeKit>, phoneNumber = MOBILE_HR): Promise<string> {
  const { pinId, pin } = await kit.startVerification(phoneNumber)
  const response = await kit.post(`/pin/${pinId}/verify`, { pin })
  expect(response.status).toBe(200)
  return ((await response.json()) as { token: string }).token
}

describe('PINs and their MACs', () => {
  const secret = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
  const pinId = '0123456789ABCDEF0123456789ABCDEF'
  // Made by the kit before its HMAC and HKDF moved from @noble/hashes to the runtime's: a PIN sent
  // by a server of the version before must verify on the next.
  for (const [name, hmacSha256] of [
    ['Web Crypto', undefined],
    ['node:crypto', nodeHmacSha256],
  ] as const) {
    it(`with ${name}, the derived keys, PINs and MACs are those of earlier versions`, async () => {
      expect(nodeHmacSha256).toBeTypeOf('function')
      const mac = await deriveHmacKey(secret, 'pin-mac', hmacSha256)
      const derivation = await deriveHmacKey(secret, 'pin-derivation', hmacSha256)
      expect(await pinMac(mac, pinId, '123456')).toBe('BTLZjEHe2F774b1Rax7Cj-6t09mo5LRk7a3KCqRIDL0')
      expect(await derivePin(derivation, pinId, 'NUMERIC', 6)).toBe('208234')
      expect(await derivePin(derivation, pinId, 'ALPHANUMERIC', 10)).toBe('6OWINE1P3A')
      expect(await derivePin(derivation, pinId, 'HEX', 8)).toBe('E042BE19')
    })
  }

  it('twoFactor() makes its MACs with the hmacSha256 it is given: the PIN on send, its MAC on send and on verify', async () => {
    let macs = 0
    const counting: HmacSha256 = (key) => {
      const mac = nodeHmacSha256(key)
      return (message) => {
        macs++
        return mac(message)
      }
    }
    const kit = makeKit({ hmacSha256: counting })
    await kit.app.ready
    const { pinId, pin } = await kit.startVerification()
    // A 6-digit PIN takes one HMAC block: one MAC derives it, one more is stored.
    expect(macs).toBe(2)
    expect((await kit.post(`/pin/${pinId}/verify`, { pin })).status).toBe(200)
    expect(macs).toBe(3)
  })

  it("the Node entry's options make MACs with node:crypto", () => {
    expect(nodeHmacSha256).toBeTypeOf('function')
    expect(optionsFromEnv({}).hmacSha256).toBe(nodeHmacSha256)
  })
})

describe('token signatures', () => {
  for (const algorithm of ['EdDSA', 'ES256'] as const) {
    it(`with node:crypto's signer (${algorithm}), a token has the kit's header and claims and verifies under its JWKS`, async () => {
      const signingKey = await generateSigningKey(algorithm)
      const kit = makeKit({ signingKey, issuer: ISSUER, audience: AUDIENCE, jwsSigner: nodeJwsSigner })
      const token = await verifiedToken(kit)
      const { keys } = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(keys[0]!, algorithm), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [algorithm],
        typ: 'phone-verification+jwt',
      })
      expect(protectedHeader).toEqual({ alg: algorithm, typ: 'phone-verification+jwt', kid: keys[0]!.kid })
      expect(Object.keys(payload)).toEqual([
        'phone_number',
        'phone_number_verified',
        'amr',
        'pin_id',
        'iss',
        'aud',
        'sub',
        'iat',
        'exp',
        'jti',
      ])
      expect(payload).toMatchObject({
        phone_number: MOBILE_HR,
        phone_number_verified: true,
        amr: ['sms'],
        sub: MOBILE_HR,
      })
      // The kit's own verifier accepts it too.
      await expect(kit.app.verifier.verify(token)).resolves.toMatchObject({ phoneNumber: MOBILE_HR })
    })
  }

  it('a token signed with Web Crypto (the default) and one signed with node:crypto differ only in jti, pin_id and signature', async () => {
    expect(nodeJwsSigner).toBeTypeOf('function')
    const signingKey = await generateSigningKey('EdDSA')
    const tokens = []
    for (const jwsSigner of [undefined, nodeJwsSigner]) {
      const kit = makeKit({ signingKey, ...(jwsSigner ? { jwsSigner } : {}) })
      tokens.push(await verifiedToken(kit))
    }
    const [webCrypto, node] = tokens as [string, string]
    expect(decodeProtectedHeader(node)).toEqual(decodeProtectedHeader(webCrypto))
    const { jti: _a, pin_id: _b, ...nodeClaims } = decodeJwt(node)
    const { jti: _c, pin_id: _d, ...webCryptoClaims } = decodeJwt(webCrypto)
    expect(nodeClaims).toEqual(webCryptoClaims)
  })

  it('twoFactor() signs each token with the jwsSigner it is given: one signature per verification', async () => {
    let signatures = 0
    const counting: JwsSigner = (jwk, algorithm) => {
      const sign = nodeJwsSigner(jwk, algorithm)
      return (input) => {
        signatures++
        return sign(input)
      }
    }
    const kit = makeKit({ signingKey: await generateSigningKey('EdDSA'), jwsSigner: counting })
    await kit.app.ready
    const afterStartUp = signatures
    await verifiedToken(kit, '+385911234567')
    await verifiedToken(kit, '+385911234568')
    expect(signatures - afterStartUp).toBe(2)
  })

  it('a jwsSigner whose signatures the public key does not verify stops start-up', async () => {
    const other = await generateSigningKey('EdDSA')
    const wrongKey: JwsSigner = (_jwk, algorithm) => nodeJwsSigner(other, algorithm)
    const kit = makeKit({ signingKey: await generateSigningKey('EdDSA'), jwsSigner: wrongKey })
    await expect(kit.app.ready).rejects.toThrow(ConfigurationError)
    await expect(kit.app.ready).rejects.toThrow(/does not verify/)
  })

  it("the Node entry's options sign with node:crypto", () => {
    expect(nodeJwsSigner).toBeTypeOf('function')
    expect(optionsFromEnv({}).jwsSigner).toBe(nodeJwsSigner)
  })
})
