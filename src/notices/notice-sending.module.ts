import { Module } from '@nestjs/common';
import { NoticeDispatchService } from './dispatch/notice-dispatch.service';
import { NoticeMetrics } from './dispatch/notice.metrics';
import { NoticeRepository } from './notice.repository';
import { NoticeSamplesService } from './rendering/notice-samples.service';
import { NoticeSenderService } from './dispatch/notice-sender.service';
import { FeedbackRepository } from './feedback/feedback.repository';
import { NoticesModule } from './notices.module';
import { StatusLinkModule } from './status-link/status-link.module';
import { SendRateLimiter } from './dispatch/send-rate-limiter';

/** Claiming, sending and tracking notices; the renderer and transport come from NoticesModule. */
@Module({
  imports: [NoticesModule, StatusLinkModule],
  providers: [FeedbackRepository, NoticeRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService, SendRateLimiter, NoticeMetrics],
  exports: [NoticesModule, StatusLinkModule, NoticeRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService],
})
export class NoticeSendingModule {}
