import { liftState } from './status-page.controller';

describe('liftState', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const issued = { type: 'suspension.issued', effectiveAt: '2026-11-26T12:00:00Z' };

  it('an open case neither lifts nor is closed', () => {
    expect(liftState('open', [issued], now)).toEqual({ closed: false, liftsAt: null, closedAt: null });
  });

  it('a lifting that takes effect later reads "lifts on", not closed', () => {
    const lifted = { type: 'suspension.lifted', effectiveAt: '2026-12-05T00:00:00Z' };
    expect(liftState('closed', [issued, lifted], now)).toEqual({
      closed: false,
      liftsAt: '2026-12-05T00:00:00Z',
      closedAt: null,
    });
  });

  it('once in effect the case is closed since the effective time, not since it was processed', () => {
    const lifted = { type: 'suspension.lifted', effectiveAt: '2026-11-30T00:00:00Z' };
    expect(liftState('closed', [issued, lifted], now)).toEqual({
      closed: true,
      liftsAt: null,
      closedAt: '2026-11-30T00:00:00Z',
    });
  });
});
