/**
 * Whole seconds down to a deadline, ticking on each second boundary so the display neither skips
 * nor lingers. The deadline is taken on the client's clock from a server-given *duration*, so a
 * wrong client clock doesn't shorten or stretch the wait.
 */
export class Countdown {
  #deadline = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly onTick: (secondsLeft: number) => void) {}

  start(seconds: number): void {
    this.stop()
    this.#deadline = Date.now() + seconds * 1000
    this.#tick()
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Goes on after `stop()`, to the same deadline (running or run out: nothing to do). */
  resume(): void {
    if (!this.#timer) this.#tick()
  }

  #tick = (): void => {
    const left = Math.max(0, Math.ceil((this.#deadline - Date.now()) / 1000))
    this.onTick(left)
    if (left > 0) this.#timer = setTimeout(this.#tick, this.#deadline - Date.now() - (left - 1) * 1000)
  }
}
