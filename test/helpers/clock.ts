/**
 * A clock for tests, in Unix ms. It stands still unless told otherwise, so windows and expiries are
 * exact; no imports, so it runs under Node and inside workerd alike.
 */
export interface FakeClock {
  now(): number
  /** Moves the clock on by `ms`. */
  advance(ms: number): void
  /**
   * From now on every read moves the clock on by `ms` after it answers: each request of a burst
   * reads its own instant, `ms` or more after the one read before it.
   */
  tickOnEveryRead(ms: number): void
}

export function fakeClock(start = Date.now()): FakeClock {
  let now = start
  let step = 0
  return {
    now: () => {
      const read = now
      now += step
      return read
    },
    advance(ms) {
      now += ms
    },
    tickOnEveryRead(ms) {
      step = ms
    },
  }
}
