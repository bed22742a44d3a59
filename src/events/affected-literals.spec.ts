import { escapeLiteral } from 'pg';
import { withLiterals } from './affected.repository';

describe('withLiterals', () => {
  it('replaces each $n with its own value, $1 never inside $10', () => {
    const params = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    expect(withLiterals('a = $1 AND b = $10 AND c = $2', params, escapeLiteral)).toBe(
      `a = 'v1' AND b = 'v10' AND c = 'v2'`,
    );
  });

  it('quotes what would end the literal and writes null as NULL', () => {
    expect(withLiterals('x = $1 OR y = $2 OR z = $3', ["O'Brien", 'a\\b', null], escapeLiteral)).toBe(
      `x = 'O''Brien' OR y =  E'a\\\\b' OR z = NULL`,
    );
  });

  it('refuses a placeholder without a value', () => {
    expect(() => withLiterals('x = $2', ['only one'], escapeLiteral)).toThrow('no value for $2');
  });
});
