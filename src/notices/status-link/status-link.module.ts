import { Module } from '@nestjs/common';
import { AppSecretsRepository } from './app-secrets.repository';
import { StatusLinks } from './status-links.service';

/** The customers' status links: made by the senders, checked by the status page. */
@Module({ providers: [AppSecretsRepository, StatusLinks], exports: [StatusLinks] })
export class StatusLinkModule {}
