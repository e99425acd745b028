/**
 * When sync rounds run: every `intervalMs`, after failures with exponential backoff and full
 * jitter (so a dock fleet coming back online does not stampede central), soon after a kick
 * (kicks within `kickDelayMs` share one round), at once when the browser comes online; never
 * two rounds at once (a kick during a round asks for one more after it).
 */
export interface SchedulerOptions {
  intervalMs: number;
  kickDelayMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  /** Failed rounds in a row, as the health says. */
  failures: () => number;
  /** How long central asked to wait after the last failed round (Retry-After), or null. */
  retryAfterMs: () => number | null;
}

/** Delay before retry number `attempt` (1-based): exponential, capped, with full jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: never zero (no hot loop), never in lockstep with other docks.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The wait before retrying a failed round: the backoff, or central's Retry-After when that is longer. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | null,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  return Math.max(backoffDelay(attempt, baseMs, maxMs, random), retryAfterMs ?? 0);
}

export class SyncScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending timer fires (wall clock): a kick rides on a timer due within kickDelayMs. */
  private timerDueAt = 0;
  /** A sync round is under way: at most one at a time (a kick meanwhile asks for another after it). */
  private inFlight = false;
  private kickedMeanwhile = false;
  /** Central poked during a round: the next round starts at once after it. */
  private pokedMeanwhile = false;
  private running = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly o: SchedulerOptions,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (typeof window !== "undefined") window.addEventListener("online", this.onOnline);
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (typeof window !== "undefined") window.removeEventListener("online", this.onOnline);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Asks for a round soon. A scanner burst kicks 20 times a second and each round is a push,
   * an outbox delete, a pull and a recount competing with the scans' own IndexedDB commits,
   * so kicks within `kickDelayMs` share one round, and a kick during a round asks for one more
   * round after it.
   */
  kick(): void {
    if (!this.running) return;
    if (this.inFlight) {
      this.kickedMeanwhile = true;
      return;
    }
    // While central is failing, new events wait for the backoff's retry: a burst offline
    // must not turn every scan window into a failed round (which also rewrites the outbox
    // rows' attempt counts). The browser coming online retries at once (onOnline).
    if (this.timer !== null && (this.o.failures() > 0 || this.timerDueAt <= Date.now() + this.o.kickDelayMs)) return;
    this.schedule(this.o.kickDelayMs);
  }

  /**
   * Central says something changed for this dock (a poke, poke-stream.ts): a round at once,
   * not after the kick delay, whatever the backoff said (central just proved it is there).
   */
  poked(): void {
    if (!this.running) return;
    if (this.inFlight) this.pokedMeanwhile = true;
    else this.schedule(0);
  }

  /** The browser says the network is back: retry now, whatever the backoff said. */
  private readonly onOnline = (): void => {
    if (!this.running) return;
    if (this.inFlight) this.kickedMeanwhile = true;
    else this.schedule(0);
  };

  private schedule(delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDueAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = true;
      this.kickedMeanwhile = false;
      this.pokedMeanwhile = false;
      const after = (ok: boolean) => {
        this.inFlight = false;
        if (!this.running) return;
        const backoff = retryDelay(
          this.o.failures(),
          this.o.retryAfterMs(),
          this.o.baseDelayMs,
          this.o.maxDelayMs,
          this.o.random,
        );
        // Events recorded during the round go out in the next one (after a failure, not before the backoff).
        if (this.pokedMeanwhile) this.schedule(0);
        else if (this.kickedMeanwhile && ok) this.schedule(this.o.kickDelayMs);
        else this.schedule(ok ? this.o.intervalMs : backoff);
      };
      void this.round().then(
        () => after(true),
        () => after(false),
      );
    }, delay);
  }
}
