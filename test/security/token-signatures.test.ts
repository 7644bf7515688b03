// Who makes a token's signature: Web Crypto by default, or the `jwsSigner` a runtime entry passes
// (the Node entry passes node:crypto's synchronous one). Whichever signs, the token is the same JWS:
// the header and claims the kit always wrote, a signature its own JWKS verifies.
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, generateSigningKey, type JwsSigner } from '../../server/index.js'
import { nodeJwsSigner, optionsFromEnv } from '../../server/node.js'
import { makeKit, MOBILE_HR } from '../helpers/kit.js'

const ISSUER = 'https://shop.example'
const AUDIENCE = 'shop.example'

async function verifiedToken(kit: ReturnType<typeof makeKit>, phoneNumber = MOBILE_HR): Promise<string> {
  const { pinId, pin } = await kit.startVerification(phoneNumber)
  const response = await kit.post(`/pin/${pinId}/verify`, { pin })
  expect(response.status).toBe(200)
  return ((await response.json()) as { token: string }).token
}

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

  it('a token signed with Web Crypto (the default) and one signed with node:crypto differ only in jti, times and signature', async () => {
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
