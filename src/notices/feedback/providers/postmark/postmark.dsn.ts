// Our Message-ID from the raw bounce Postmark may attach (`Content`): the headers of the returned message inside a DSN.
import { normaliseMessageId } from '../../feedback.values';

// A DSN (RFC 3464) returns the original as message/rfc822, or only its headers as text/rfc822-headers
// (message/global[-headers] for internationalised mail, RFC 6533).
const RETURNED_PART = /content-type:[ \t]*(?:message\/rfc822|text\/rfc822-headers|message\/global(?:-headers)?)/i;
// A Message-ID header line; its value may be folded onto the next line.
const MESSAGE_ID_HEADER = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(\S{1,998})/im;
// Bounce dumps can hold a whole returned message with attachments; the headers we want are near its start.
const SCAN_MAX = 512 * 1024;

/**
 * The Message-ID of the message that bounced, or null. The dump's own first Message-ID belongs to the bounce
 * message itself, so only the returned part is searched; a dump without one says nothing about our mail.
 */
export function originalMessageIdFromDump(dump: string | undefined): string | null {
  if (!dump) return null;
  const scanned = dump.length > SCAN_MAX ? dump.slice(0, SCAN_MAX) : dump;
  const part = RETURNED_PART.exec(scanned);
  if (!part) return null;
  const header = MESSAGE_ID_HEADER.exec(scanned.slice(part.index + part[0].length));
  return header ? normaliseMessageId(header[1]) : null;
}
