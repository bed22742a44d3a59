import { Module } from '@nestjs/common';
import { NoticeDispatchService } from './dispatch/notice-dispatch.service';
import { NoticeMetrics } from './dispatch/notice.metrics';
import { NoticeListRepository } from './notice-list.repository';
import { NoticeRepository } from './notice.repository';
import { NoticePlanningRepository } from './planning/notice-planning.repository';
import { NoticeSamplesService } from './rendering/notice-samples.service';
import { NoticeSenderService } from './dispatch/notice-sender.service';
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
  NoticeSenderService,
  NoticeDispatchService,
];

/** Planning, claiming, sending and tracking notices; the renderer and transport come from NoticesModule. */
@Module({
  imports: [NoticesModule, StatusLinkModule],
  providers: [...SHARED, FeedbackRepository, SendRateLimiter, NoticeMetrics],
  exports: [NoticesModule, StatusLinkModule, ...SHARED],
})
export class NoticeSendingModule {}
