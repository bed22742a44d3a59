import { validateWebhookUrl } from './webhook-url';

const publicOnly = { allowPrivate: false };
const privateToo = { allowPrivate: true };

function errorOf(url: string, policy = publicOnly): string {
  const check = validateWebhookUrl(url, policy);
  if (check.ok) throw new Error(`expected ${url} to be refused`);
  return check.error;
}

describe('validateWebhookUrl', () => {
  it('accepts an https URL to a host name and returns it normalised', () => {
    expect(validateWebhookUrl('HTTPS://Hooks.Example.COM:8443/in?x=1', publicOnly)).toEqual({
      ok: true,
      url: 'https://hooks.example.com:8443/in?x=1',
    });
  });

  it('accepts an https URL to a public IP literal', () => {
    expect(validateWebhookUrl('https://8.8.8.8/hook', publicOnly).ok).toBe(true);
    expect(validateWebhookUrl('https://[2606:4700:4700::1111]/hook', publicOnly).ok).toBe(true);
  });

  it.each(['ftp://hooks.example.com/', 'file:///etc/passwd', 'gopher://hooks.example.com/', 'javascript:alert(1)'])(
    'refuses the scheme of %s, whatever the policy',
    (url) => {
      expect(errorOf(url)).toMatch(/scheme ".*:" is not allowed; use https$/);
      expect(errorOf(url, privateToo)).toMatch(/is not allowed; use https or http$/);
    },
  );

  it('refuses plain http unless private endpoints are allowed', () => {
    expect(errorOf('http://hooks.example.com/')).toBe('webhook URL scheme "http:" is not allowed; use https');
    expect(validateWebhookUrl('http://hooks.example.com/', privateToo)).toEqual({
      ok: true,
      url: 'http://hooks.example.com/',
    });
  });

  it.each([
    'https://user:secret@hooks.example.com/',
    'https://user@hooks.example.com/',
    'https://:secret@hooks.example.com/',
  ])('refuses credentials in %s, whatever the policy', (url) => {
    expect(errorOf(url)).toBe('webhook URL must not contain a user name or password');
    expect(errorOf(url, privateToo)).toBe('webhook URL must not contain a user name or password');
  });

  it.each([
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://10.0.0.1/hook', 'private'],
    ['https://172.20.1.1/hook', 'private'],
    ['https://192.168.0.10/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://100.64.1.1/', 'carrier-grade NAT'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://[::1]/hook', 'loopback'],
    ['https://[::ffff:127.0.0.1]/hook', 'IPv4-mapped loopback'],
    ['https://[fe80::1]/hook', 'link-local'],
    ['https://[fd00::1]/hook', 'unique-local'],
    ['https://224.0.0.251/', 'multicast'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(errorOf(url)).toMatch(new RegExp(`is not a public address \\(${reason}\\)$`));
  });

  // The WHATWG parser turns every spelling of an IPv4 address into the dotted form before the check sees it.
  it.each(['https://2130706433/', 'https://0x7f.1/', 'https://0177.0.0.1/', 'https://127.0.0.1./', 'https://127.1/'])(
    'refuses %s, another spelling of 127.0.0.1',
    (url) => {
      expect(errorOf(url)).toBe('webhook URL host 127.0.0.1 is not a public address (loopback)');
    },
  );

  it.each(['https://localhost/hook', 'https://LOCALHOST./hook', 'https://api.localhost:8443/'])(
    'refuses the loopback name in %s',
    (url) => {
      expect(errorOf(url)).toMatch(/is not a public address \(loopback name\)$/);
    },
  );

  it('allows private addresses and loopback names when private endpoints are allowed', () => {
    for (const url of ['http://127.0.0.1:3000/h', 'https://10.0.0.1/h', 'http://[::1]/h', 'http://localhost/h']) {
      expect(validateWebhookUrl(url, privateToo).ok).toBe(true);
    }
  });

  it('leaves host names that may resolve anywhere to the connect-time check', () => {
    expect(validateWebhookUrl('https://rebind.example/', publicOnly).ok).toBe(true);
  });

  it.each(['', '   ', 'hooks.example.com/in', '/relative/path', 'https://', 'https://exa mple.com/', 'not a url'])(
    'refuses %j as not a usable URL',
    (url) => {
      expect(errorOf(url)).toMatch(/^webhook URL (is empty|is not a valid absolute URL)$/);
    },
  );

  it('refuses an overlong URL', () => {
    expect(errorOf(`https://hooks.example.com/${'a'.repeat(3000)}`)).toBe('webhook URL is longer than 2048 characters');
  });

  it('refuses a value that is not a string without throwing', () => {
    expect(validateWebhookUrl(undefined as unknown as string, publicOnly)).toEqual({
      ok: false,
      error: 'webhook URL is empty',
    });
  });
});
