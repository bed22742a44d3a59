import { Module } from '@nestjs/common';
import { MailTransportService } from './channels/email/mail-transport.service';
import { ProviderRateGate } from './channels/email/provider-rate.gate';
import { ProviderMetrics } from './channels/email/provider.metrics';
import { NoticeRenderer } from './rendering/notice-renderer.service';

/** Templates, rendering and the mail transport: loaded once per process (APP_CONFIG comes from the global config module). */
@Module({
  providers: [NoticeRenderer, MailTransportService, ProviderRateGate, ProviderMetrics],
  exports: [NoticeRenderer, MailTransportService],
})
export class NoticesModule {}
