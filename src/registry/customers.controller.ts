import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { CustomersService } from './customers.service';
import { CustomerQueryDto } from './dto/customer-query.dto';

@ApiTags('registry')
@ApiBearerAuth()
@RequireRole('account_manager')
@Controller(`${API_PREFIX}/customers`)
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @ApiOperation({ summary: 'Search customers (account managers see only their own)' })
  search(@CurrentUser() me: Principal, @Query() q: CustomerQueryDto) {
    const { page, pageSize, ...filter } = q;
    return this.customers.search(me, filter, page, pageSize);
  }

  @Get(':ref')
  @ApiOperation({ summary: 'A customer with contacts, subscriptions, cases and notices' })
  detail(@CurrentUser() me: Principal, @Param('ref') ref: string) {
    return this.customers.detail(me, ref);
  }
}
