import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import type { Principal } from '../domain/roles';
import { API_PREFIX } from '../common/api';
import { PagingQuery, type Page } from '../common/paging.dto';
import { CatalogService } from './catalog.service';
import { PutProductDto, PutRegionGroupDto } from './dto/catalog.dto';
import { ProductDto, ProductPageDto, RegionGroupDto, RegionGroupPageDto } from './dto/registry-view.dto';

@ApiTags('catalog')
@Controller(API_PREFIX)
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('products')
  @RequireRole('account_manager')
  @ApiOperation({ summary: 'List products' })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiErrors(400)
  async products(@Query() q: PagingQuery) {
    return pageOf(await this.catalog.listProducts(), q);
  }

  @Put('products/:code')
  @RequireRole('support')
  @ApiOperation({ summary: 'Create or replace a product (support)' })
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors([400, 'invalid code, name or category; `details` names the field'])
  putProduct(@CurrentUser() me: Principal, @Param('code') code: string, @Body() dto: PutProductDto) {
    return this.catalog.putProduct(me, { code, ...dto });
  }

  @Get('region-groups')
  @RequireRole('account_manager')
  @ApiOperation({ summary: 'List region groups, built-in and operator-defined' })
  @ApiOkResponse({ type: RegionGroupPageDto })
  @ApiErrors(400)
  async regionGroups(@Query() q: PagingQuery) {
    return pageOf(await this.catalog.listRegionGroups(), q);
  }

  @Put('region-groups/:code')
  @RequireRole('support')
  @ApiOperation({ summary: 'Create or replace a region group (support)' })
  @ApiOkResponse({ type: RegionGroupDto })
  @ApiErrors([400, 'invalid code or name, or countries that are not ISO 3166-1 alpha-2 codes'])
  putRegionGroup(@CurrentUser() me: Principal, @Param('code') code: string, @Body() dto: PutRegionGroupDto) {
    return this.catalog.putRegionGroup(me, { code, ...dto });
  }
}

/** The catalog is small (tens of rows), so it is paged in memory. */
function pageOf<T>(all: T[], q: PagingQuery): Page<T> {
  const start = (q.page - 1) * q.pageSize;
  return { items: all.slice(start, start + q.pageSize), total: all.length, page: q.page, pageSize: q.pageSize };
}
