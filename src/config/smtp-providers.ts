// SMTP_URL as a list of providers in order of preference (SPEC §4): `smtp://a:25?rate=14&maxMessageBytes=10485760,smtps://b`.

export interface SmtpProviderConfig {
  /** Stable label for metrics and the notice's record: `host:port`, with `#2` etc. when one host appears twice. */
  name: string;
  /** The URL handed to Nodemailer, without our own query parameters. */
  url: string;
  /** This provider's own mails per second across all workers; 0 = no limit of its own. */
  rate: number;
  /** Messages larger than this are not sent through this provider; null = no limit. */
  maxMessageBytes: number | null;
}

/** Query parameters that are ours; every other one is Nodemailer's (e.g. `maxConnections`) and stays on the URL. */
const OWN_PARAMS = ['rate', 'maxMessageBytes'];

/** `smtp://user:secret@host` → `smtp://user:***@host`: error messages and logs never show a password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

function parseEntry(raw: string, index: number): SmtpProviderConfig | string {
  const at = `entry ${index + 1} (${JSON.stringify(redactUrl(raw))})`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${at} is not a URL`;
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return `${at} must be an smtp:// or smtps:// URL`;
  if (!url.hostname) return `${at} has no host`;
  const rateText = url.searchParams.get('rate');
  const rate = rateText === null ? 0 : Number(rateText);
  if (!Number.isFinite(rate) || rate < 0) return `${at}: rate must be a number ≥ 0 (mails per second)`;
  const maxText = url.searchParams.get('maxMessageBytes');
  const maxMessageBytes = maxText === null ? null : Number(maxText);
  if (maxMessageBytes !== null && (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024)) {
    return `${at}: maxMessageBytes must be a whole number of bytes ≥ 1024`;
  }
  for (const p of OWN_PARAMS) url.searchParams.delete(p);
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return { name: `${url.hostname}:${port}`, url: url.toString(), rate, maxMessageBytes };
}

/** Parses SMTP_URL; returns the providers, or the problems (one line per bad entry) when any entry is bad. */
export function parseSmtpProviders(value: string): { providers: SmtpProviderConfig[]; problems: string[] } {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return { providers: [], problems: ['lists no URL'] };
  const providers: SmtpProviderConfig[] = [];
  const problems: string[] = [];
  entries.forEach((raw, i) => {
    const parsed = parseEntry(raw, i);
    if (typeof parsed === 'string') problems.push(parsed);
    else providers.push(parsed);
  });
  const seen = new Map<string, number>();
  for (const p of providers) {
    const n = (seen.get(p.name) ?? 0) + 1;
    seen.set(p.name, n);
    if (n > 1) p.name = `${p.name}#${n}`;
  }
  return { providers, problems };
}
