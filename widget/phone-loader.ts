/**
 * Loads the phone-number code and the server's metadata in parallel, once per endpoint and page,
 * after first paint. A failed load is forgotten so that the next attempt retries.
 */
import type { PhoneData, PhoneTools } from './phone-number.js'

const loads = new Map<string, Promise<PhoneTools>>()

export function loadPhoneTools(endpoint: string): Promise<PhoneTools> {
  const base = endpoint.replace(/\/+$/, '')
  let load = loads.get(base)
  if (!load) {
    load = Promise.all([
      import('./phone-number.js'),
      fetch(`${base}/metadata.json`).then((response) => {
        if (!response.ok) throw new Error(`${base}/metadata.json answered ${response.status}`)
        return response.json() as Promise<PhoneData>
      }),
    ]).then(([module, data]) => module.createPhoneTools(data))
    load.catch(() => loads.delete(base))
    loads.set(base, load)
  }
  return load
}
