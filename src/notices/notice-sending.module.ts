import { Module } from '@nestjs/common';
import { NoticeDispatchService } from './dispatch/notice-dispatch.service';
import { NoticeMetrics } from './dispatch/notice.metrics';
import { NoticeListRepository } from './notice-list.repository';
import { NoticeRepository } from './notice.repository';
import { NoticePlanningRepository } from './planning/notice-planning.repository';
import { NoticeSamplesService } from './rendering/notice-samples.service';
import { DeliverySenderService } from './dispatch/delivery-sender.service';
import { DeliveryWorkRepository } from './dispatch/delivery-work.repository';
import { EmailChannel } from './channels/email/email.channel';
import { WebhookChannel } from './channels/webhook/webhook.channel';
import { WebhookMetrics } from './channels/webhook/webhook.metrics';
import { FeedbackRepository } from './feedback/feedback.repository';
import { NoticesModule } from './notices.module';
import { StatusLinkModule } from './status-link/status-link.module';
import { SendRateLimiter } from './dispatch/send-rate-limiter';

/** What other features use: planning rows, listing them, rendering samples, starting and running sends. */
const SHARED = [
  NoticeRepository,
  NoticeListRepository,
  NoticePlanningRepository,
  NoticeSamplesService,
  DeliveryWorkRepository,
  DeliverySenderService,
  NoticeDispatchService,
];

/**
 * Planning, claiming, sending and tracking notices and webhook deliveries (one machine, an email and a webhook
 * channel); the renderer and transport come from NoticesModule.
 */
@Module({
  imports: [NoticesModule, StatusLinkModule],
  providers: [
    ...SHARED,
    FeedbackRepository,
    SendRateLimiter,
    NoticeMetrics,
    EmailChannel,
    WebhookChannel,
    WebhookMetrics,
  ],
  exports: [NoticesModule, StatusLinkModule, ...SHARED],
})
export class NoticeSendingModule {}
