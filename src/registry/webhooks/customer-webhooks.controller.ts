// PUT/GET/DELETE /api/v1/customers/:ref/webhook: a customer's webhook endpoint and its deliveries (SPEC §4, §5).
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../../common/api';
import { CurrentUser, RequireRole } from '../../common/auth.decorators';
import type { Principal } from '../../domain/roles';
import { CustomerWebhooksService } from './customer-webhooks.service';
import { PutWebhookDto, WebhookSecretDto, WebhookViewDto } from './dto/webhook.dto';

@ApiTags('registry')
@ApiBearerAuth()
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
  put(@CurrentUser() me: Principal, @Param('ref') ref: string, @Body() body: PutWebhookDto) {
    return this.webhooks.set(me, ref, body.url);
  }

  @Get()
  @RequireRole('account_manager')
  @ApiOperation({ summary: "The customer's webhook endpoint and its latest deliveries, never the secret" })
  @ApiOkResponse({ type: WebhookViewDto })
  get(@CurrentUser() me: Principal, @Param('ref') ref: string) {
    return this.webhooks.get(me, ref);
  }

  @Delete()
  @HttpCode(204)
  @RequireRole('support')
  @ApiOperation({ summary: "Remove the customer's webhook endpoint (support; audited)" })
  @ApiNoContentResponse()
  async remove(@CurrentUser() me: Principal, @Param('ref') ref: string): Promise<void> {
    await this.webhooks.remove(me, ref);
  }
}
