// The webhook parsers by provider name, as the `{provider}` segment of `POST /webhooks/bounces/{provider}` names them.
import type { BounceParser, WebhookProvider } from '../feedback.types';
import { MailgunParser } from './mailgun/mailgun.parser';
import { PostmarkParser } from './postmark/postmark.parser';
import { SendgridParser } from './sendgrid/sendgrid.parser';
import { SesParser } from './ses/ses.parser';

export const BOUNCE_PARSERS: Readonly<Record<WebhookProvider, BounceParser>> = Object.freeze({
  ses: new SesParser(),
  postmark: new PostmarkParser(),
  sendgrid: new SendgridParser(),
  mailgun: new MailgunParser(),
});

/** The parser for a provider name from a URL, or undefined (a 404) for any other string, `__proto__` included. */
export function bounceParserFor(name: string): BounceParser | undefined {
  return Object.hasOwn(BOUNCE_PARSERS, name) ? BOUNCE_PARSERS[name as WebhookProvider] : undefined;
}
