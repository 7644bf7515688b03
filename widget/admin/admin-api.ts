/**
 * The dashboard's only way to the server: `fetch` with the admin token as a bearer header. The
 * token never goes into a URL (URLs end up in logs and history). Every failure becomes an
 * `AdminApiError` whose `kind` the page switches on.
 */
import type { AllowListEntry, NumberHistory, Period, Summary } from './types.js'

export type AdminApiErrorKind = 'unauthorized' | 'unavailable' | 'network' | 'refused'

export class AdminApiError extends Error {
  constructor(
    readonly kind: AdminApiErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'AdminApiError'
  }
}

export interface AdminApi {
  summary(period: Period): Promise<Summary>
  verifications(phoneNumber: string): Promise<NumberHistory>
  liftBlock(scope: string): Promise<{ scope: string; lifted: boolean }>
  allowList(): Promise<{ entries: AllowListEntry[] }>
  allow(entry: string, note?: string): Promise<unknown>
  disallow(entry: string): Promise<{ entry: string; removed: boolean }>
}

/** `base` is the admin API's URL, with its trailing slash: the page's own folder by default. */
export function adminApi(base: URL, token: string): AdminApi {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // Same origin only: the admin routes send no CORS headers, and the token is no cookie.
        credentials: 'omit',
        cache: 'no-store',
      })
    } catch {
      throw new AdminApiError('network', 'The server could not be reached. Check the connection and retry.')
    }
    const answer = (await response.json().catch(() => undefined)) as
      { error?: { code?: string; message?: string } } | undefined
    if (response.ok) return answer as T
    const code = answer?.error?.code
    const message = answer?.error?.message ?? `The server answered ${response.status}.`
    if (response.status === 401) throw new AdminApiError('unauthorized', message, 401, code)
    if (response.status >= 500) throw new AdminApiError('unavailable', message, response.status, code)
    throw new AdminApiError('refused', message, response.status, code)
  }

  return {
    summary: (period) => call('GET', `summary?period=${period}`),
    verifications: (phoneNumber) =>
      call('GET', `verifications?phoneNumber=${encodeURIComponent(phoneNumber)}`),
    liftBlock: (scope) => call('DELETE', `blocks/${encodeURIComponent(scope)}`),
    allowList: () => call('GET', 'allow-list'),
    allow: (entry, note) => call('POST', 'allow-list', note ? { entry, note } : { entry }),
    disallow: (entry) => call('DELETE', `allow-list/${encodeURIComponent(entry)}`),
  }
}
