import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES, type Role } from '../../domain/roles';

export class CreateUserDto {
  @ApiProperty({ example: 'jane@vendor.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty({ example: 'Jane Doe' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;
}

export class CreateTokenDto {
  @ApiProperty({ required: false, example: 'laptop' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  label?: string;
}
