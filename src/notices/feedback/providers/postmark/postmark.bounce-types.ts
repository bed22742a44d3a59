// Postmark's bounce types (its Bounce API "bounce types" table) sorted into what each means for a notice.
import type { BounceType } from '../../feedback.types';

/** The address will not take mail again, and Postmark itself now refuses to send to it. */
const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

/** The recipient marked the message as spam (Postmark deactivates the address for good). */
const COMPLAINT = new Set(['SpamComplaint']);

/**
 * Not a failure to deliver: an auto-reply ("out of office"), a list (un)subscribe or address-change request
 * written back by a person or robot, an open-relay probe, a challenge-response check, or an inbound-side error.
 * The notice was delivered, or the answer is about something other than our mail.
 */
const NOT_A_FAILURE = new Set([
  'AutoResponder',
  'Subscribe',
  'Unsubscribe',
  'AddressChange',
  'OpenRelayTest',
  'ChallengeVerification',
  'InboundError',
]);

// Everything else is soft: Transient, SoftBounce, DnsError, Unknown, Blocked, SMTPApiError, DMARCPolicy,
// VirusNotification, Unconfirmed, TemplateRenderingFailed, and SpamNotification. SpamNotification is a spam
// FILTER's verdict (Postmark: "delivered, but either blocked by the user, or classified as spam, bulk mail,
// or had rejected content"), not the recipient's complaint; Postmark does not deactivate on it, and neither
// do we: suppressing an address because a filter disliked one notice would silence every later one.

/**
 * Our type for a Postmark bounce record, or null when it reports no delivery failure. `inactive` is Postmark
 * saying it deactivated the address: it will drop every later mail to it, so for us the address is dead
 * (hard) whatever the type says, unless it is a complaint, which stays a complaint.
 */
export function postmarkBounceType(type: string | undefined, inactive: boolean): BounceType | null {
  if (type !== undefined && COMPLAINT.has(type)) return 'complaint';
  if (inactive || (type !== undefined && HARD.has(type))) return 'hard';
  if (type !== undefined && NOT_A_FAILURE.has(type)) return null;
  return 'soft';
}
