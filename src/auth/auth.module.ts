import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionService } from '../common/transaction.service';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { ApiToken } from './entities/api-token.entity';
import { User } from './entities/user.entity';
import { UsersController } from './users.controller';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User, ApiToken])],
  controllers: [UsersController],
  providers: [TransactionService, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
