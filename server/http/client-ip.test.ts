import { describe, expect, it } from 'vitest'
import { twoFactor } from '../index.js'

const quietLogs = () => {
  const warnings: string[] = []
  return {
    warnings,
    logger: {
      info() {},
      warn: (_fields: object | string, message?: string) => warnings.push(message ?? ''),
      error() {},
    },
  }
}

/** Three sends to three numbers from one connection, with a per-IP limit of 2/1h. */
async function threeSendsFrom(env: unknown) {
  const { logger, warnings } = quietLogs()
  const app = twoFactor({ environment: 'development', sendPinPerIpLimit: '2/1h', logger })
  const statuses: number[] = []
  for (const phoneNumber of ['+385911111111', '+385912222222', '+385913333333']) {
    const response = await app.request(
      '/pin',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phoneNumber }),
      },
      env as never,
    )
    statuses.push(response.status)
  }
  return { statuses, ipWarnings: warnings.filter((warning) => warning.includes('IP')) }
}

describe('the client IP without getClientIp (the runtime-neutral entry)', () => {
  it.each([
    ['Node (@hono/node-server)', { incoming: { socket: { remoteAddress: '203.0.113.7' } } }],
    ['Bun', { requestIP: () => ({ address: '203.0.113.7', family: 'IPv4', port: 5555 }) }],
    ['Bun, with the server in env.server', { server: { requestIP: () => ({ address: '203.0.113.7' }) } }],
    ['Deno', { remoteAddr: { hostname: '203.0.113.7', port: 5555, transport: 'tcp' } }],
  ])('reads the connection address on %s, so the per-IP limit holds: 201, 201, 429', async (_, env) => {
    const { statuses, ipWarnings } = await threeSendsFrom(env)
    expect(statuses).toEqual([201, 201, 429])
    expect(ipWarnings).toEqual([])
  })

  it('says once, when no address can be had, that per-IP limits are off and what to pass', async () => {
    const { statuses, ipWarnings } = await threeSendsFrom(undefined)
    expect(statuses).toEqual([201, 201, 201])
    expect(ipWarnings).toHaveLength(1)
    expect(ipWarnings[0]).toMatch(/per-IP send limits are off.*getClientIp/)
  })
})
