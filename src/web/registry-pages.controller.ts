// Customers (search and detail) and the registry import form.
import { Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { CustomersService } from '../registry/customers.service';
import { CustomerQueryDto } from '../registry/dto/customer-query.dto';
import { CustomerWebhooksService } from '../registry/webhooks/customer-webhooks.service';
import { IMPORT_MODES } from '../registry/import/import.types';
import { TIERS } from '../domain/registry.types';
import { RegistryUploadService } from './registry-upload.service';
import { WebExceptionFilter } from './web-exception.filter';
import { countryName, enc, pager, parseQuery } from './web-page-model';
import { WebViews, type WebRequest } from './web-views.service';

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@RequireRole('account_manager')
@Controller()
export class RegistryPagesController {
  constructor(
    private readonly customers: CustomersService,
    private readonly upload: RegistryUploadService,
    private readonly views: WebViews,
    private readonly webhooks: CustomerWebhooksService,
  ) {}

  @Get('customers')
  async list(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Query() raw: Record<string, string>,
    @CurrentUser() me: Principal,
  ) {
    const q = await parseQuery(CustomerQueryDto, raw);
    const { page, pageSize, ...filter } = q;
    const result = await this.customers.search(me, filter, page, pageSize);
    const filters = { q: q.q, tier: q.tier, country: q.country, product: q.product, accountManager: q.accountManager };
    this.views.send(req, res, 'customers', {
      title: 'Customers',
      filters,
      tiers: TIERS.map((t) => ({ value: t, selected: t === q.tier })),
      items: result.items.map((c) => ({ ...c, href: `/customers/${enc(c.ref)}`, countryName: countryName(c.country) })),
      pager: pager('/customers', filters, result),
    });
  }

  @Get('customers/:ref')
  async detail(@Req() req: WebRequest, @Res() res: Response, @Param('ref') ref: string, @CurrentUser() me: Principal) {
    const c = await this.customers.detail(me, ref);
    const webhook = await this.webhooks.ofCustomer(me, ref);
    const sections = c as unknown as { cases: Record<string, unknown>[]; notices: Record<string, unknown>[] };
    const link = (kind: 'events' | 'cases', id: unknown) => (typeof id === 'string' ? `/${kind}/${enc(id)}` : null);
    this.views.send(req, res, 'customer', {
      title: c.name,
      customer: { ...c, countryName: countryName(c.country) },
      cases: sections.cases.map((x) => ({ ...x, href: link('cases', x.caseId) })),
      notices: sections.notices.map((x) => ({ ...x, eventHref: link('events', x.eventId) })),
      webhook: webhook && {
        ...webhook,
        deliveries: webhook.deliveries.map((d) => ({ ...d, eventHref: link('events', d.eventId) })),
      },
    });
  }

  @Get('registry/import')
  @RequireRole('support')
  form(@Req() req: WebRequest, @Res() res: Response) {
    this.views.send(req, res, 'import', { title: 'Import the registry', modes: IMPORT_MODES });
  }

  /** multipart/form-data, streamed: the file goes to the importer as it arrives (see RegistryUploadService). */
  @Post('registry/import')
  @RequireRole('support')
  async import(@Req() req: WebRequest, @Res() res: Response, @CurrentUser() me: Principal) {
    const { report, fileName } = await this.upload.importUpload(req, me);
    this.views.send(
      req,
      res,
      'import',
      { title: 'Import the registry', modes: IMPORT_MODES, report, fileName, errorsShown: report.errors.length },
      report.errorCount > 0 ? 422 : 200,
    );
  }
}
