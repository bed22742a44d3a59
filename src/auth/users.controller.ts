import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CurrentUser, RequireRole } from '../common/auth.decorators';
import { ApiErrors } from '../common/api-docs';
import { AuthService } from './auth.service';
import { CreateTokenDto, CreateUserDto } from './dto/create-user.dto';
import { NewTokenDto, UserDto } from './dto/user-view.dto';
import type { Principal } from '../domain/roles';

@ApiTags('people and tokens (admin)')
@RequireRole('admin')
@Controller(API_PREFIX)
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Post('users')
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, [409, 'a user with this email already exists'])
  async createUser(@CurrentUser() me: Principal, @Body() dto: CreateUserDto) {
    const u = await this.auth.createUser(me, dto);
    return { id: u.id, email: u.email, name: u.name, role: u.role };
  }

  @Post('users/:id/tokens')
  @ApiOperation({ summary: 'Create an API token for a user; the only time the token is shown (admin)' })
  @ApiCreatedResponse({ type: NewTokenDto })
  @ApiErrors([400, 'invalid body, or the id is not a UUID'], [404, 'no such user'])
  createToken(@CurrentUser() me: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateTokenDto) {
    return this.auth.createToken(me, id, dto.label);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token (admin)' })
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiErrors([400, 'the id is not a UUID'], [404, 'no active token with this id'])
  async revoke(@CurrentUser() me: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.auth.revokeToken(me, id);
  }
}
