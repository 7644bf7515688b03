/**
 * Several rate-limit windows taken as one step: a send's quotas (cooldown, per number, per IP, per
 * application), its range velocity (1k and 10k), its spend (application and country). A store
 * with `hitAll` does it in one atomic call — one round trip to Redis instead of one per window;
 * for a store without it, the same answers come from `hit` calls one after another.
 */
import type { HitAllResult, HitRequest, TwoFactorStore } from '../stores/types.js'

/**
 * Counts every hit of `hits` in order. When one is refused, every hit of the call — the refused
 * one too — is given back before the answer names it, so a refusal costs nothing.
 */
export async function takeHits(
  store: TwoFactorStore,
  hits: readonly HitRequest[],
  now: number,
): Promise<HitAllResult> {
  if (store.hitAll) return store.hitAll(hits, now)
  const taken: RateLimitHitTaken[] = []
  const giveBack = () => Promise.all(taken.map(({ request }) => giveBackHit(store, request, now)))
  for (const request of hits) {
    let hit
    try {
      hit = await store.hit(request.key, request.limit, request.windowMs, now, request.cost ?? 1)
    } catch (error) {
      // A store that refused a new key (full, or gone): what was taken goes back, like a refusal.
      await giveBack().catch(() => undefined)
      throw error
    }
    taken.push({ request, hit })
    if (!hit.allowed) {
      await giveBack()
      return { allowed: false, refused: taken.length - 1, hit }
    }
  }
  return { allowed: true, hits: taken.map(({ hit }) => hit) }
}

interface RateLimitHitTaken {
  request: HitRequest
  hit: Awaited<ReturnType<TwoFactorStore['hit']>>
}

/** Gives one hit back (its cost subtracted, never below zero). */
export async function giveBackHit(store: TwoFactorStore, request: HitRequest, now: number): Promise<void> {
  await store.hit(request.key, request.limit, request.windowMs, now, -(request.cost ?? 1))
}

/** Gives back every hit of a call that was allowed: for a send that didn't happen. */
export async function giveBackHits(
  store: TwoFactorStore,
  hits: readonly HitRequest[],
  now: number,
): Promise<void> {
  await Promise.all(hits.map((request) => giveBackHit(store, request, now)))
}
