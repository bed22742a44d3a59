import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { CustomersService } from './customers.service';
import { CustomerQueryDto } from './dto/customer-query.dto';
import { CustomerDetailDto, CustomerPageDto } from './dto/registry-view.dto';

@ApiTags('registry')
@RequireRole('account_manager')
@Controller(`${API_PREFIX}/customers`)
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @ApiOperation({ summary: 'Search customers (account managers see only their own)' })
  @ApiOkResponse({ type: CustomerPageDto })
  @ApiErrors(400)
  search(@CurrentUser() me: Principal, @Query() q: CustomerQueryDto) {
    const { page, pageSize, ...filter } = q;
    return this.customers.search(me, filter, page, pageSize);
  }

  @Get(':ref')
  @ApiOperation({ summary: 'A customer with contacts, subscriptions, cases and notices' })
  @ApiOkResponse({ type: CustomerDetailDto })
  @ApiErrors(400, 404)
  detail(@CurrentUser() me: Principal, @Param('ref') ref: string) {
    return this.customers.detail(me, ref);
  }
}
