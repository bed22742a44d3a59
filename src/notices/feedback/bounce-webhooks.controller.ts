// The providers' own bounce webhooks (SPEC §4): POST /webhooks/bounces/{ses|postmark|sendgrid|mailgun}?token=BOUNCE_WEBHOOK_TOKEN.
import {
  BadGatewayException,
  BadRequestException,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BOUNCE_WEBHOOK_AUTH, WEBHOOKS_PREFIX } from '../../common/api';
import { ApiErrors } from '../../common/api-docs';
import { Public } from '../../common/auth.decorators';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { FeedbackIntakeService } from './feedback-intake.service';
import { FeedbackParseError, WEBHOOK_PROVIDERS } from './feedback.types';
import { bounceParserFor } from './providers';
import { SnsConfirmer } from './sns-confirmer';

/** The largest body a provider posts (a SendGrid batch, a Postmark bounce with its dump). */
export const WEBHOOK_BODY_LIMIT = 8 * 1024 * 1024;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

async function readBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > WEBHOOK_BODY_LIMIT) throw new PayloadTooLargeException(`body larger than ${WEBHOOK_BODY_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

@ApiTags('bounces')
@Public()
@Controller(`${WEBHOOKS_PREFIX}/bounces`)
export class BounceWebhooksController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: FeedbackIntakeService,
    private readonly sns: SnsConfirmer,
  ) {}

  /** Compares digests in constant time, so neither the token's length nor its prefix leaks through timing. */
  private authorised(token: unknown): boolean {
    const expected = this.config.BOUNCE_WEBHOOK_TOKEN;
    if (!expected || typeof token !== 'string' || token === '') return false;
    return timingSafeEqual(digest(token), digest(expected));
  }

  @Post(':provider')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "A provider's bounce and complaint webhook; SNS subscription confirmations are confirmed (no bearer token)",
  })
  @ApiSecurity(BOUNCE_WEBHOOK_AUTH)
  @ApiParam({ name: 'provider', enum: WEBHOOK_PROVIDERS })
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({
    description: "the provider's own payload, read as it documents it (SNS posts JSON as text/plain)",
    schema: { type: 'object' },
  })
  @ApiOkResponse({
    description:
      '{provider, recorded, …} for reports (a repeated report changes nothing), {provider, confirmed} for an SNS ' +
      'subscription, {provider, ignored} for a payload that reports nothing',
    schema: { type: 'object', properties: { provider: { type: 'string', enum: [...WEBHOOK_PROVIDERS] } } },
  })
  @ApiErrors(
    [400, 'the payload cannot be read'],
    [401, 'missing or wrong token'],
    [404, 'no webhook for this provider'],
    [413, 'the body is larger than 8 MB'],
  )
  async receive(@Param('provider') provider: string, @Query('token') token: unknown, @Req() req: Request) {
    const parser = bounceParserFor(provider);
    if (!parser) throw new NotFoundException(`no bounce webhook for provider ${JSON.stringify(provider.slice(0, 40))}`);
    if (!this.authorised(token)) throw new UnauthorizedException('missing or wrong token');
    const body = await readBody(req);
    let parsed;
    try {
      parsed = parser.parse(body, req.headers['content-type']);
    } catch (e) {
      if (e instanceof FeedbackParseError) throw new BadRequestException(`${provider} payload: ${e.message}`);
      throw e;
    }
    if (parsed.kind === 'ignored') return { provider, ignored: parsed.reason };
    if (parsed.kind === 'subscription-confirmation') {
      if (!(await this.sns.confirm(parsed.subscribeUrl, parsed.topicArn))) {
        throw new BadGatewayException('could not confirm the SNS subscription; SNS will ask again');
      }
      return { provider, confirmed: parsed.topicArn };
    }
    return { provider, ...(await this.intake.receive(parsed.reports)), skipped: parsed.skipped };
  }
}
