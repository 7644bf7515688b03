// nodeHandler: the kit (or any Hono app) served from Express, Fastify or node:http, whether or not
// the host's body parser read the body first. Real servers on real sockets.
import { getConnInfo } from '@hono/node-server/conninfo'
import express from 'express'
import Fastify, { type FastifyInstance } from 'fastify'
import { Hono } from 'hono'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeHandler, twoFactor } from '../node.js'

const quiet = { info() {}, warn() {}, error() {} }
const kit = () => twoFactor({}, { testNumbers: { '+15005550006': '123456' }, logger: quiet })

/** Says what it got: the path, the body's bytes as text and the caller's address. */
const echo = new Hono().all('*', async (c) =>
  c.json({
    path: c.req.path,
    query: c.req.query(),
    body: await c.req.text(),
    ip: getConnInfo(c).remote.address,
  }),
)

const closers: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function expressHost(setup: (app: express.Express) => void): Promise<string> {
  const app = express()
  setup(app)
  return listen(createServer(app))
}

async function fastifyHost(setup: (app: FastifyInstance) => void | Promise<void>): Promise<string> {
  const app = Fastify()
  await setup(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  closers.push(() => app.close())
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

const post = async (url: string, body: string, type = 'application/json') => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** POST /pin and its verify on a host that serves the kit at /2fa. */
async function flow(url: string) {
  const sent = await post(`${url}/2fa/pin`, JSON.stringify({ phoneNumber: '+15005550006' }))
  const verified = await post(
    `${url}/2fa/pin/${sent.body['pinId']}/verify`,
    JSON.stringify({ pin: '123456' }),
  )
  return { sent: sent.status, verified: verified.status, token: typeof verified.body['token'] }
}

describe('nodeHandler on Express 5', () => {
  it('serves the flow after express.json() has read the body (the usual setup), not 500 "Body is unusable"', async () => {
    const url = await expressHost((app) => {
      app.use(express.json())
      app.use('/2fa', nodeHandler(kit()))
    })
    expect(await flow(url)).toEqual({ sent: 201, verified: 200, token: 'string' })
  })

  it('serves the flow when mounted before any body parser (it reads the body itself, and answers malformed JSON with INVALID_JSON)', async () => {
    const url = await expressHost((app) => {
      app.use('/2fa', nodeHandler(kit()))
      app.use(express.json())
    })
    expect(await flow(url)).toEqual({ sent: 201, verified: 200, token: 'string' })
    expect(await post(`${url}/2fa/pin`, '{"phoneNumber":')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JSON' } },
    })
  })

  it('answers the kit’s own refusals through a parsed body: an invalid number is 400 PHONE_NUMBER_INVALID', async () => {
    const url = await expressHost((app) => {
      app.use(express.json())
      app.use('/2fa', nodeHandler(kit()))
    })
    expect(await post(`${url}/2fa/pin`, JSON.stringify({ phoneNumber: '+1 555' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'PHONE_NUMBER_INVALID' } },
    })
    expect(await post(`${url}/2fa/nope`, '{}')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    })
  })

  it('gives the app the path under the mount, the query, the socket’s address, and a form express.urlencoded() parsed as a form', async () => {
    const url = await expressHost((app) => {
      app.use(express.urlencoded({ extended: false }))
      app.use('/hook', nodeHandler(echo))
    })
    const answer = await post(
      `${url}/hook/reports/twilio?token=abc`,
      'MessageSid=SM1&MessageStatus=delivered&To=%2B15005550006&Note=a+b',
      'application/x-www-form-urlencoded',
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ path: '/reports/twilio', query: { token: 'abc' }, ip: '127.0.0.1' })
    expect(Object.fromEntries(new URLSearchParams(answer.body['body'] as string))).toEqual({
      MessageSid: 'SM1',
      MessageStatus: 'delivered',
      To: '+15005550006',
      Note: 'a b',
    })
  })

  it('passes bytes express.raw() or express.text() read as they are', async () => {
    const url = await expressHost((app) => {
      app.use('/raw', express.raw({ type: '*/*' }), nodeHandler(echo))
      app.use('/text', express.text({ type: '*/*' }), nodeHandler(echo))
    })
    const body = '{"phoneNumber": "+15005550006" }'
    expect((await post(`${url}/raw/x`, body)).body['body']).toBe(body)
    expect((await post(`${url}/text/x`, body)).body['body']).toBe(body)
  })
})

describe('nodeHandler on Fastify 5', () => {
  it('serves the flow with Fastify’s own JSON parsing (the default), the mount path given as basePath', async () => {
    const url = await fastifyHost((app) => {
      app.all('/2fa/*', nodeHandler(kit(), { basePath: '/2fa' }))
    })
    expect(await flow(url)).toEqual({ sent: 201, verified: 200, token: 'string' })
    expect(await post(`${url}/2fa/pin`, JSON.stringify({ phoneNumber: '+1 555' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'PHONE_NUMBER_INVALID' } },
    })
  })

  it('in a scope whose parser keeps every body as bytes, the app reads exactly what was sent, and the caller’s address', async () => {
    const url = await fastifyHost(async (app) => {
      await app.register(
        async (scope) => {
          scope.removeAllContentTypeParsers()
          scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
          scope.all('/*', nodeHandler(echo, { basePath: '/hook' }))
        },
        { prefix: '/hook' },
      )
    })
    const body = 'MessageSid=SM1&Note=a+b'
    const answer = await post(
      `${url}/hook/reports/twilio?token=abc`,
      body,
      'application/x-www-form-urlencoded',
    )
    expect(answer).toEqual({
      status: 200,
      body: { path: '/reports/twilio', query: { token: 'abc' }, body, ip: '127.0.0.1' },
    })
  })
})

describe('nodeHandler on node:http', () => {
  it('is a plain request listener: createServer(nodeHandler(app)) streams the body to the app', async () => {
    const url = await listen(createServer(nodeHandler(echo)))
    expect((await post(`${url}/a/b?c=d`, '{"x":1}')).body).toEqual({
      path: '/a/b',
      query: { c: 'd' },
      body: '{"x":1}',
      ip: '127.0.0.1',
    })
  })
})
