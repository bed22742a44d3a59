import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn } from 'class-validator';
import { IMPORT_MODES, type ImportMode } from '../import/import.types';

export class ImportQueryDto {
  @ApiPropertyOptional({ enum: IMPORT_MODES, default: 'upsert' })
  @IsIn(IMPORT_MODES, { message: `mode must be one of ${IMPORT_MODES.join(', ')}` })
  mode: ImportMode = 'upsert';

  @ApiPropertyOptional({ default: false })
  @Transform(({ value }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun = false;
}
