// Server-rendered pages for support staff and account managers (SPEC §6), the public case status page and bull-board.
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import cookieParser from 'cookie-parser';
import { urlencoded } from 'express';
import helmet from 'helmet';
import { ApiToken } from '../auth/entities/api-token.entity';
import { EventsModule } from '../events/events.module';
import { FeedbackModule } from '../notices/feedback/feedback.module';
import { NoticeSendingModule } from '../notices/notice-sending.module';
import { OutreachModule } from '../outreach/outreach.module';
import { RegistryModule } from '../registry/registry.module';
import { CasesPagesController } from './cases-pages.controller';
import { ComposePageController } from './compose-page.controller';
import { EventsPagesController } from './events-pages.controller';
import { QUEUE_DASHBOARD_PATH, QueueDashboard } from './queue-dashboard';
import { RegistryPagesController } from './registry-pages.controller';
import { RegistryUploadService } from './registry-upload.service';
import { CustomerStatusController } from './customer-status.controller';
import { StatusFailureLimiter } from './status-failure.limiter';
import { StatusPageController } from './status-page.controller';
import { SuppressionsPageController } from './suppressions-page.controller';
import { WebAssetsController } from './web-assets.controller';
import { WebAuthController } from './web-auth.controller';
import { WebCsrfService } from './web-csrf.service';
import { WebExceptionFilter } from './web-exception.filter';
import { WebPagesRepository } from './web-pages.repository';
import { WebSecrets } from './web-secrets';
import {
  RequireAdminMiddleware,
  RequireSessionMiddleware,
  WebCsrfMiddleware,
  WebSessionMiddleware,
} from './web-session.middleware';
import { WebSessionService } from './web-session.service';
import { WebViews } from './web-views.service';

const PAGES = [
  EventsPagesController,
  ComposePageController,
  RegistryPagesController,
  CasesPagesController,
  SuppressionsPageController,
];

/** Only this site's own files: no CDN, no external host; inline styles for the mail previews and the bars. */
export const webHelmet = (secure: boolean) =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: secure,
  });

@Module({
  imports: [
    EventsModule,
    OutreachModule,
    NoticeSendingModule,
    FeedbackModule,
    RegistryModule,
    TypeOrmModule.forFeature([ApiToken]),
  ],
  controllers: [WebAuthController, WebAssetsController, CustomerStatusController, StatusPageController, ...PAGES],
  providers: [
    StatusFailureLimiter,
    WebSecrets,
    WebCsrfService,
    WebSessionService,
    WebViews,
    WebPagesRepository,
    WebExceptionFilter,
    RegistryUploadService,
    QueueDashboard,
  ],
})
export class WebModule implements NestModule {
  constructor(
    private readonly secrets: WebSecrets,
    private readonly dashboard: QueueDashboard,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const cookies = cookieParser(this.secrets.cookieSecret);
    const headers = webHelmet(this.secrets.secureCookies);
    const forms = urlencoded({ extended: false, limit: '1mb' });
    consumer.apply(headers).forRoutes(WebAssetsController, StatusPageController, CustomerStatusController);
    consumer
      .apply(cookies, headers, forms, WebSessionMiddleware, WebCsrfMiddleware)
      .forRoutes(WebAuthController, ...PAGES);
    consumer.apply(RequireSessionMiddleware).forRoutes(...PAGES);
    consumer
      .apply(cookies, headers, WebSessionMiddleware, RequireAdminMiddleware, this.dashboard.router)
      .forRoutes(QUEUE_DASHBOARD_PATH);
  }
}
