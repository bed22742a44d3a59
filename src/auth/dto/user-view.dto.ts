// Response shapes of POST /users and POST /users/:id/tokens, for the OpenAPI document (SPEC §5).
import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../domain/roles';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: string;
}

export class NewTokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'imp_…', description: 'shown only in this answer; stored as a hash' }) token: string;
}
