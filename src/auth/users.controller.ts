import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { AuthService } from './auth.service';
import { CreateTokenDto, CreateUserDto } from './dto/create-user.dto';
import type { Principal } from '../domain/roles';

@ApiTags('people and tokens (admin)')
@ApiBearerAuth()
@RequireRole('admin')
@Controller(API_PREFIX)
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Post('users')
  @ApiOperation({ summary: 'Create a user (admin)' })
  async createUser(@CurrentUser() me: Principal, @Body() dto: CreateUserDto) {
    const u = await this.auth.createUser(me, dto);
    return { id: u.id, email: u.email, name: u.name, role: u.role };
  }

  @Post('users/:id/tokens')
  @ApiOperation({ summary: 'Create an API token for a user; the only time the token is shown (admin)' })
  createToken(@CurrentUser() me: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateTokenDto) {
    return this.auth.createToken(me, id, dto.label);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token (admin)' })
  async revoke(@CurrentUser() me: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.auth.revokeToken(me, id);
  }
}
