import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'

/**
 * A port nobody listens on right now on 127.0.0.1: the OS picks it. There is a small window before
 * the caller uses it; for a server that can take port 0 and say which port it got, prefer that.
 */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}
