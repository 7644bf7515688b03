// The exported verifier pins algorithm, typ, issuer and audience and refuses expired tokens: a
// verifier that lets the token choose how it is checked can be fooled (RFC 8725; hono's
// GHSA-f67f-6cw9-8mq4 and GHSA-3vhc-576x-3qv4).
import { Hono } from 'hono'
import { base64url, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createVerifier,
  generateSigningKey,
  requireVerifiedPhone,
  TOKEN_TYPE,
  type TokenVerifier,
} from '../../server/index.js'
import { makeKit } from '../helpers/kit.js'

const ISSUER = 'https://shop.example'
const AUDIENCE = 'shop.example'

let kit: ReturnType<typeof makeKit>
let verifier: TokenVerifier
let goodToken: string
let publicJwk: JWK

beforeAll(async () => {
  kit = makeKit({ issuer: ISSUER, audience: AUDIENCE, signingKey: await generateSigningKey('EdDSA') })
  const jwks = (await (await kit.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
  publicJwk = jwks.keys[0]!
  verifier = createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE })
  const { pinId, pin } = await kit.startVerification()
  goodToken = ((await (await kit.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }).token
})

const segments = (token: string) => token.split('.') as [string, string, string]
const encode = (value: object) => base64url.encode(JSON.stringify(value))
const decode = (segment: string) => JSON.parse(new TextDecoder().decode(base64url.decode(segment)))

async function refusal(token: string) {
  try {
    await verifier.verify(token)
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'ACCEPTED'
}

describe('token verifier', () => {
  it('accepts a token the kit issued, with the OIDC phone claims', async () => {
    const { phoneNumber, claims } = await verifier.verify(goodToken)
    expect(phoneNumber).toBe('+385911234567')
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: phoneNumber,
      phone_number_verified: true,
      amr: ['sms'],
    })
    expect(claims.exp! - claims.iat!).toBe(300)
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(decode(segments(goodToken)[0])).toMatchObject({
      alg: 'EdDSA',
      typ: TOKEN_TYPE,
      kid: publicJwk.kid,
    })
  })

  it('refuses alg: none', async () => {
    const [header, payload] = segments(goodToken)
    const unsigned = `${encode({ ...decode(header), alg: 'none' })}.${payload}.`
    expect(await refusal(unsigned)).toBe('TOKEN_INVALID')
  })

  it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const [header, payload] = segments(goodToken)
    const forgedHeader = encode({ ...decode(header), alg: 'HS256' })
    for (const secret of [JSON.stringify(publicJwk), publicJwk.x!]) {
      const key = await crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      const signature = await crypto.subtle.sign(
        'HMAC',
        key,
        new TextEncoder().encode(`${forgedHeader}.${payload}`),
      )
      expect(await refusal(`${forgedHeader}.${payload}.${base64url.encode(new Uint8Array(signature))}`)).toBe(
        'TOKEN_INVALID',
      )
    }
  })

  it('refuses a wrong typ, audience or issuer even when properly signed', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    const ownJwk = { ...(await exportJWK(privateKey)), alg: 'EdDSA' }
    const cases = [
      { typ: 'JWT', iss: ISSUER, aud: AUDIENCE },
      { typ: TOKEN_TYPE, iss: ISSUER, aud: 'another-app' },
      { typ: TOKEN_TYPE, iss: 'https://evil.example', aud: AUDIENCE },
    ]
    for (const { typ, iss, aud } of cases) {
      const issuing = makeKit({ issuer: iss, audience: aud, signingKey: ownJwk })
      const { pinId, pin } = await issuing.startVerification()
      const token = (
        (await (await issuing.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }
      ).token
      const trusting = createVerifier({
        jwks: await (await issuing.get('/.well-known/jwks.json')).json(),
        issuer: ISSUER,
        audience: AUDIENCE,
      })
      if (typ === TOKEN_TYPE) {
        await expect(trusting.verify(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
      } else {
        const retyped = await new SignJWT(decode(segments(token)[1]))
          .setProtectedHeader({ alg: 'EdDSA', typ })
          .sign(privateKey)
        await expect(trusting.verify(retyped)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
      }
    }
  })

  it('refuses a token signed by another key', async () => {
    const stranger = makeKit({ issuer: ISSUER, audience: AUDIENCE })
    const { pinId, pin } = await stranger.startVerification()
    const token = ((await (await stranger.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string })
      .token
    expect(await refusal(token)).toBe('TOKEN_INVALID')
  })

  it('refuses an expired token', async () => {
    const shortLived = makeKit({
      issuer: ISSUER,
      audience: AUDIENCE,
      tokenTimeToLive: '1s',
      clock: () => Date.now() - 60_000,
    })
    const { pinId, pin } = await shortLived.startVerification()
    const token = (
      (await (await shortLived.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }
    ).token
    const jwks = (await (await shortLived.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
    await expect(
      createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE }).verify(token),
    ).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
  })

  it('refuses tampered claims', async () => {
    const [header, payload, signature] = segments(goodToken)
    const tampered = encode({ ...decode(payload), phone_number: '+385919999999', sub: '+385919999999' })
    expect(await refusal(`${header}.${tampered}.${signature}`)).toBe('TOKEN_INVALID')
  })

  it('will not be configured with HMAC or none, nor without issuer and audience', () => {
    expect(() =>
      createVerifier({
        jwks: { keys: [] },
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256' as never],
      }),
    ).toThrow(/not allowed/)
    expect(() =>
      createVerifier({
        jwks: { keys: [] },
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['none' as never],
      }),
    ).toThrow(/not allowed/)
    expect(() => createVerifier({ jwks: { keys: [] }, issuer: '', audience: AUDIENCE })).toThrow(/issuer/)
    expect(() => createVerifier({ jwks: { keys: [] }, issuer: ISSUER, audience: '' })).toThrow(/audience/)
  })

  it('requireVerifiedPhone() lets a valid bearer token through and refuses the rest with 401', async () => {
    const host = new Hono<{ Variables: { verifiedPhone: { phoneNumber: string } } }>()
    host.get('/account', requireVerifiedPhone({ verifier }), (c) =>
      c.json({ phone: c.get('verifiedPhone').phoneNumber }),
    )
    const ok = await host.request('/account', { headers: { Authorization: `Bearer ${goodToken}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ phone: '+385911234567' })
    const missing = await host.request('/account')
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('TOKEN_MISSING')
    const bad = await host.request('/account', { headers: { Authorization: 'Bearer x.y.z' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('WWW-Authenticate')).toContain('invalid_token')
  })

  it('ES256 keys work end to end when chosen', async () => {
    const es = makeKit({ issuer: ISSUER, audience: AUDIENCE, signingKey: await generateSigningKey('ES256') })
    const { pinId, pin } = await es.startVerification()
    const token = ((await (await es.post(`/pin/${pinId}/verify`, { pin })).json()) as { token: string }).token
    expect(decode(segments(token)[0]).alg).toBe('ES256')
    const jwks = (await (await es.get('/.well-known/jwks.json')).json()) as { keys: JWK[] }
    await expect(
      createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE }).verify(token),
    ).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
    await expect(
      createVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] }).verify(token),
    ).resolves.toMatchObject({ phoneNumber: '+385911234567' })
  })
})
