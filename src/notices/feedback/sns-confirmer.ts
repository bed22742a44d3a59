// Confirms an Amazon SNS subscription by a GET of its SubscribeURL (already checked to be sns.<region>.amazonaws.com).
import { Injectable, Logger } from '@nestjs/common';
import { isDelivered, SafeHttpClient } from '../channels/webhook/safe-http.client';

@Injectable()
export class SnsConfirmer {
  private readonly logger = new Logger(SnsConfirmer.name);

  /** True when SNS accepted the confirmation; the outbound call follows no redirect and reaches only public addresses. */
  async confirm(subscribeUrl: string, topicArn: string): Promise<boolean> {
    const client = new SafeHttpClient({ allowPrivate: false, timeoutMs: 10_000 });
    try {
      const result = await client.get(subscribeUrl);
      const ok = isDelivered(result);
      this.logger.log(
        { topicArn, status: result.status, error: result.error },
        ok ? 'SNS subscription confirmed' : 'SNS subscription confirmation failed',
      );
      return ok;
    } finally {
      client.close();
    }
  }
}
