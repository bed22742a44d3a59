import { Module } from '@nestjs/common';
import { NoticeDispatchService } from './dispatch/notice-dispatch.service';
import { NoticeMetrics } from './dispatch/notice.metrics';
import { NoticeRepository } from './notice.repository';
import { NoticePlanningRepository } from './planning/notice-planning.repository';
import { NoticeSamplesService } from './rendering/notice-samples.service';
import { NoticeSenderService } from './dispatch/notice-sender.service';
import { NoticesModule } from './notices.module';
import { SendRateLimiter } from './dispatch/send-rate-limiter';

/** Planning, claiming, sending and tracking notices; the renderer and transport come from NoticesModule. */
@Module({
  imports: [NoticesModule],
  providers: [NoticeRepository, NoticePlanningRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService, SendRateLimiter, NoticeMetrics],
  exports: [NoticesModule, NoticeRepository, NoticePlanningRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService],
})
export class NoticeSendingModule {}
