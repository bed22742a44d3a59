import { customerVisibility, customerVisibilityNamed } from './customer-visibility';

describe('customerVisibility', () => {
  it('lets support and admin see every customer', () => {
    expect(customerVisibility({ role: 'support', email: 's@v.example' }, 'c', 3)).toEqual({ sql: 'TRUE', params: [] });
    expect(customerVisibility({ role: 'admin', email: 'a@v.example' })).toEqual({ sql: 'TRUE', params: [] });
  });

  it('limits an account manager to customers whose account manager is them', () => {
    expect(customerVisibility({ role: 'account_manager', email: 'Jane@Vendor.example' }, 'cu', 4)).toEqual({
      sql: 'cu.am_email = $4',
      params: ['jane@vendor.example'],
    });
    expect(customerVisibilityNamed({ role: 'account_manager', email: 'Jane@Vendor.example' }, 'cu')).toEqual({
      sql: 'cu.am_email = :visibleToAm',
      params: { visibleToAm: 'jane@vendor.example' },
    });
  });

  it('refuses an alias that is not an identifier', () => {
    expect(() => customerVisibility({ role: 'support', email: 'x' }, 'c; DROP TABLE customers')).toThrow(/alias/);
  });
});
