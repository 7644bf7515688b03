/**
 * Loads the phone-number code and the server's metadata in parallel, once per endpoint and page,
 * after first paint. A failed load is forgotten so that the next attempt retries.
 */
import { loadOnce } from './load-once.js'
import type { PhoneData, PhoneTools } from './phone-number.js'

export function loadPhoneTools(endpoint: string): Promise<PhoneTools> {
  const base = endpoint.replace(/\/+$/, '')
  return loadOnce(`phone ${base}`, () =>
    Promise.all([
      import('./phone-number.js'),
      fetch(`${base}/metadata.json`).then((response) => {
        if (!response.ok) throw new Error(`${base}/metadata.json answered ${response.status}`)
        return response.json() as Promise<PhoneData>
      }),
    ]).then(([module, data]) => module.createPhoneTools(data)),
  )
}
