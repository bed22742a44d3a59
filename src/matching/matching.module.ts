import { Module } from '@nestjs/common';
import { MatchingRepository } from './matching.repository';
import { SuspendedSetRepository } from './suspended-set.repository';

@Module({
  providers: [MatchingRepository, SuspendedSetRepository],
  exports: [MatchingRepository, SuspendedSetRepository],
})
export class MatchingModule {}
