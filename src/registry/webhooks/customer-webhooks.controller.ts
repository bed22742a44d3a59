// PUT/GET/DELETE /api/v1/customers/:ref/webhook: a customer's webhook endpoint and its deliveries (SPEC §4, §5).
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../../common/api';
import { CurrentUser, RequireRole } from '../../common/auth.decorators';
import { ApiErrors } from '../../common/api-docs';
import type { Principal } from '../../domain/roles';
import { CustomerWebhooksService } from './customer-webhooks.service';
import { PutWebhookDto, WebhookSecretDto, WebhookViewDto } from './dto/webhook.dto';

@ApiTags('registry')
@Controller(`${API_PREFIX}/customers/:ref/webhook`)
export class CustomerWebhooksController {
  constructor(private readonly webhooks: CustomerWebhooksService) {}

  @Put()
  @HttpCode(200)
  @RequireRole('support')
  @ApiOperation({
    summary: "Set the customer's webhook endpoint with a new signing secret, shown only here (support; audited)",
  })
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiErrors([400, 'not an https URL to a public address'], [404, 'no such customer'])
  put(@CurrentUser() me: Principal, @Param('ref') ref: string, @Body() body: PutWebhookDto) {
    return this.webhooks.set(me, ref, body.url);
  }

  @Get()
  @RequireRole('account_manager')
  @ApiOperation({ summary: "The customer's webhook endpoint and its latest deliveries, never the secret" })
  @ApiOkResponse({ type: WebhookViewDto })
  @ApiErrors(400, [404, 'no such customer visible to the caller, or it has no webhook endpoint'])
  get(@CurrentUser() me: Principal, @Param('ref') ref: string) {
    return this.webhooks.get(me, ref);
  }

  @Delete()
  @HttpCode(204)
  @RequireRole('support')
  @ApiOperation({ summary: "Remove the customer's webhook endpoint (support; audited)" })
  @ApiNoContentResponse()
  @ApiErrors(400, [404, 'no such customer, or it has no webhook endpoint'])
  async remove(@CurrentUser() me: Principal, @Param('ref') ref: string): Promise<void> {
    await this.webhooks.remove(me, ref);
  }
}
