import { classifySmtpError, SmtpPermanentError, SmtpTemporaryError } from './smtp-errors';

// Shapes as Nodemailer builds them: an Error with code, responseCode, response and command.
function nodemailerError(props: Record<string, unknown>, message = 'Message failed'): Error {
  return Object.assign(new Error(message), props);
}

describe('classifySmtpError', () => {
  it.each([421, 450, 451, 452])('treats a %i reply as temporary and keeps the reply', (responseCode) => {
    const response = `${responseCode} 4.3.0 Try again later`;
    const err = classifySmtpError(nodemailerError({ code: 'EMESSAGE', responseCode, response, command: 'DATA' }));
    expect(err).toBeInstanceOf(SmtpTemporaryError);
    expect(err.temporary).toBe(true);
    expect(err.code).toBe(responseCode);
    expect(err.response).toBe(response);
  });

  it.each([550, 551, 552, 553, 554])('treats a %i reply as permanent and keeps the reply', (responseCode) => {
    const response = `${responseCode} 5.1.1 Mailbox unavailable`;
    const err = classifySmtpError(nodemailerError({ code: 'EENVELOPE', responseCode, response, command: 'RCPT TO' }));
    expect(err).toBeInstanceOf(SmtpPermanentError);
    expect(err.temporary).toBe(false);
    expect(err.code).toBe(responseCode);
    expect(err.response).toBe(response);
    expect(err.errorCode).toBe('EENVELOPE');
  });

  it('treats 503 (bad sequence of commands) as temporary', () => {
    expect(classifySmtpError(nodemailerError({ responseCode: 503, response: '503 Bad sequence' }))).toBeInstanceOf(
      SmtpTemporaryError,
    );
  });

  it('treats a per-recipient 451 (EENVELOPE with a 4xx reply) as temporary', () => {
    const err = classifySmtpError(
      nodemailerError({ code: 'EENVELOPE', responseCode: 451, response: '451 greylisted' }),
    );
    expect(err).toBeInstanceOf(SmtpTemporaryError);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPIPE'])(
    'treats %s without a reply as temporary',
    (code) => {
      const err = classifySmtpError(nodemailerError({ code }, 'connect failed'));
      expect(err).toBeInstanceOf(SmtpTemporaryError);
      expect(err.code).toBeNull();
      expect(err.errorCode).toBe(code);
      expect(err.response).toBe(`${code}: connect failed`);
    },
  );

  it('names the original Node code when Nodemailer wrapped a refused connection', () => {
    const err = classifySmtpError(
      nodemailerError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'connect ECONNREFUSED 127.0.0.1:2525'),
    );
    expect(err).toBeInstanceOf(SmtpTemporaryError);
    expect(err.errorCode).toBe('ECONNREFUSED');
  });

  it('keeps a failed login temporary even with a 535 reply: the credentials are ours, not the message', () => {
    const err = classifySmtpError(nodemailerError({ code: 'EAUTH', responseCode: 535, response: '535 Invalid login' }));
    expect(err).toBeInstanceOf(SmtpTemporaryError);
    expect(err.code).toBe(535);
  });

  it('treats an unusable envelope without a reply as permanent', () => {
    expect(classifySmtpError(nodemailerError({ code: 'EENVELOPE' }, 'No recipients defined'))).toBeInstanceOf(
      SmtpPermanentError,
    );
  });

  it('treats unknown errors, and non-errors, as temporary', () => {
    expect(classifySmtpError(new Error('something odd'))).toBeInstanceOf(SmtpTemporaryError);
    expect(classifySmtpError('a string')).toBeInstanceOf(SmtpTemporaryError);
    expect(classifySmtpError(undefined).response).toBe('undefined');
  });

  it('returns an already classified error unchanged', () => {
    const original = new SmtpPermanentError(550, '550 no');
    expect(classifySmtpError(original)).toBe(original);
  });
});
