import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let t = 0;
  const breaker = () => new CircuitBreaker({ failuresToOpen: 3, coolDownMs: 1000, now: () => t });
  beforeEach(() => (t = 0));

  it('stays closed below the threshold and resets on success', () => {
    const b = breaker();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after N failures in a row and refuses sends for the cool-down', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    t = 999;
    expect(b.tryAcquire()).toBe(false);
  });

  it('lets exactly one trial through when half-open; success closes it', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    t = 1000;
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(true);
  });

  it('a failed trial sets it aside for another whole cool-down', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    t = 1500;
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    t = 2499;
    expect(b.tryAcquire()).toBe(false);
    t = 2500;
    expect(b.tryAcquire()).toBe(true);
  });

  it('an abandoned trial changes nothing but lets the next trial through', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    t = 1000;
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.abandon();
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
  });
});
