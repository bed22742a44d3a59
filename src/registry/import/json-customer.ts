// Validates one JSON Lines customer object (SPEC §2) into a staged customer, or lists what is wrong with it.
import type { WebhookUrlPolicy } from '../../domain/webhook-url';
import * as rules from './field-rules';
import type { Checked } from './field-rules';
import type { ImportError, StagedContact, StagedCustomer } from './import.types';

const CUSTOMER_KEYS = new Set([
  'ref',
  'name',
  'tier',
  'country',
  'accountManager',
  'contacts',
  'subscriptions',
  'webhook',
]);
const CONTACT_KEYS = new Set(['email', 'name', 'locale', 'role', 'notices']);
const SUBSCRIPTION_KEYS = new Set(['product', 'country']);
const MAX_ITEMS = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `policy` is WEBHOOK_ALLOW_PRIVATE's: a `webhook.url` is checked as the webhook API checks it. */
export function customerFromJson(
  value: unknown,
  line: number,
  policy: WebhookUrlPolicy,
): { customer: StagedCustomer | null; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const take = <T>(field: string, c: Checked<T>): T | undefined => {
    if (c.ok) return c.value;
    errors.push({ line, field, message: `${field} ${c.message}` });
    return undefined;
  };
  if (!isObject(value)) {
    return {
      customer: null,
      errors: [{ line, field: '', message: 'each line must be a JSON object describing one customer' }],
    };
  }
  unknownKeys(value, CUSTOMER_KEYS, '', line, errors);

  const ref = take('ref', rules.ref(value.ref));
  const name = take('name', rules.text(value.name, { required: true }));
  const tier = take('tier', rules.tier(value.tier));
  const country = take('country', rules.country(value.country));

  let amEmail: string | null = null;
  let amName: string | null = null;
  if (value.accountManager !== undefined && value.accountManager !== null) {
    if (!isObject(value.accountManager)) {
      errors.push({ line, field: 'accountManager', message: 'accountManager must be an object {email, name}' });
    } else {
      unknownKeys(value.accountManager, new Set(['email', 'name']), 'accountManager.', line, errors);
      amEmail = take('accountManager.email', rules.email(value.accountManager.email)) ?? null;
      amName = take('accountManager.name', rules.text(value.accountManager.name, { required: false })) ?? null;
    }
  }

  // Absent or null: the file says nothing about the endpoint, which stays as it is.
  let webhookUrl: string | null = null;
  if (value.webhook !== undefined && value.webhook !== null) {
    if (!isObject(value.webhook)) {
      errors.push({ line, field: 'webhook', message: 'webhook must be an object {url}' });
    } else {
      unknownKeys(value.webhook, new Set(['url']), 'webhook.', line, errors);
      webhookUrl = take('webhook.url', rules.webhookUrl(value.webhook.url, policy)) ?? null;
    }
  }

  const contacts: StagedContact[] = [];
  const seenEmails = new Set<string>();
  for (const [i, c] of list(value.contacts, 'contacts', line, errors).entries()) {
    const f = `contacts[${i}]`;
    if (!isObject(c)) {
      errors.push({ line, field: f, message: `${f} must be an object {email, name, locale, role, notices}` });
      continue;
    }
    unknownKeys(c, CONTACT_KEYS, `${f}.`, line, errors);
    const email = take(`${f}.email`, rules.email(c.email));
    const contact = {
      email: email ?? '',
      name: take(`${f}.name`, rules.text(c.name, { required: false })) ?? '',
      locale: take(`${f}.locale`, rules.locale(c.locale)) ?? 'en',
      role: take(`${f}.role`, rules.text(c.role, { required: false, max: 200 })) ?? null,
      notices: take(`${f}.notices`, strictBool(c.notices)) ?? true,
    };
    if (email && seenEmails.has(email)) {
      errors.push({ line, field: `${f}.email`, message: `${f}.email ${email} appears twice for this customer` });
    }
    if (email) seenEmails.add(email);
    contacts.push(contact);
  }

  const subs: { product: string; country: string }[] = [];
  for (const [i, s] of list(value.subscriptions, 'subscriptions', line, errors).entries()) {
    const f = `subscriptions[${i}]`;
    if (!isObject(s)) {
      errors.push({ line, field: f, message: `${f} must be an object {product, country?}` });
      continue;
    }
    unknownKeys(s, SUBSCRIPTION_KEYS, `${f}.`, line, errors);
    const product = take(`${f}.product`, rules.productCode(s.product));
    const dest =
      s.country === undefined || s.country === null ? country : take(`${f}.country`, rules.country(s.country));
    if (product && dest) subs.push({ product, country: dest });
  }

  if (errors.length || !ref || !name || !tier || !country) return { customer: null, errors };
  return {
    customer: {
      line,
      ref,
      name,
      tier,
      country,
      amEmail,
      amName,
      contacts,
      subscriptions: rules.normalizeSubscriptions(subs),
      webhookUrl,
    },
    errors,
  };
}

/** JSON has real booleans; "yes" or 1 there is more likely a mistake than a choice. */
function strictBool(v: unknown): Checked<boolean> {
  if (v === undefined || v === null) return { ok: true, value: true };
  return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, message: 'must be true or false' };
}

function list(v: unknown, field: string, line: number, errors: ImportError[]): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errors.push({ line, field, message: `${field} must be an array` });
    return [];
  }
  if (v.length > MAX_ITEMS) {
    errors.push({ line, field, message: `${field} must have at most ${MAX_ITEMS} entries` });
    return [];
  }
  return v;
}

function unknownKeys(
  o: Record<string, unknown>,
  allowed: Set<string>,
  prefix: string,
  line: number,
  errors: ImportError[],
): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) errors.push({ line, field: `${prefix}${k}`, message: `unknown field ${prefix}${k}` });
  }
}
