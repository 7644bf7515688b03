/**
 * Lazy loads shared by every widget on the page: one per key, whoever asks first; a failed load is
 * forgotten so that the next attempt retries.
 */
const loads = new Map<string, Promise<unknown>>()

export function loadOnce<T>(key: string, load: () => Promise<T>): Promise<T> {
  let loading = loads.get(key) as Promise<T> | undefined
  if (!loading) {
    loading = load()
    loading.catch(() => loads.delete(key))
    loads.set(key, loading)
  }
  return loading
}
