import { Module } from '@nestjs/common';
import { BounceWebhooksController } from './bounce-webhooks.controller';
import { FeedbackIntakeService } from './feedback-intake.service';
import { FeedbackController } from './feedback.controller';
import { FeedbackRepository } from './feedback.repository';
import { SnsConfirmer } from './sns-confirmer';
import { SuppressionsService } from './suppressions.service';

/** Bounces, complaints and the suppression list: the intake routes (api role) and the repository the senders read. */
@Module({
  controllers: [FeedbackController, BounceWebhooksController],
  providers: [FeedbackRepository, FeedbackIntakeService, SuppressionsService, SnsConfirmer],
  exports: [FeedbackRepository, SuppressionsService],
})
export class FeedbackModule {}
