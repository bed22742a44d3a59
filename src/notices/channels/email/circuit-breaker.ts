// Sets a failing provider aside: closed → (N failures in a row) → open for a cool-down → half-open (one trial) → closed or open again.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures in a row that set the provider aside. */
  failuresToOpen: number;
  /** How long it stays aside before one trial send is let through. */
  coolDownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.coolDownMs ? 'half-open' : 'open';
  }

  /**
   * May a send go through now? In half-open state only one trial at a time does: the others go to the next
   * provider until the trial says whether this one is back.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  /** A connection error or 4xx. A failed trial opens the breaker again for a whole cool-down. */
  failure(): void {
    const trial = this.trialInFlight;
    this.trialInFlight = false;
    this.failures += 1;
    if (trial || this.openedAt !== null || this.failures >= this.options.failuresToOpen) this.openedAt = this.now();
  }

  /** Gives back a trial that was acquired but not used (e.g. the provider's own rate was spent): nothing learnt. */
  abandon(): void {
    this.trialInFlight = false;
  }
}
