import { Module } from '@nestjs/common';
import { NoticeDispatchService } from './notice-dispatch.service';
import { NoticeMetrics } from './notice.metrics';
import { NoticeRepository } from './notice.repository';
import { NoticeSamplesService } from './notice-samples.service';
import { NoticeSenderService } from './notice-sender.service';
import { NoticesModule } from './notices.module';
import { SendRateLimiter } from './send-rate-limiter';

/** Claiming, sending and tracking notices; the renderer and transport come from NoticesModule. */
@Module({
  imports: [NoticesModule],
  providers: [NoticeRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService, SendRateLimiter, NoticeMetrics],
  exports: [NoticesModule, NoticeRepository, NoticeSamplesService, NoticeSenderService, NoticeDispatchService],
})
export class NoticeSendingModule {}
