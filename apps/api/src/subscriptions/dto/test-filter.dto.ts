import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { TestFilterRequestDto } from './test-filter-request.dto';
import { TestFilterSchemaDto } from './test-filter-schema.dto';

/** Convoy's `POST /subscriptions/test_filter` body. */
export class TestFilterDto {
  @ApiProperty({ type: () => TestFilterRequestDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => TestFilterRequestDto)
  request!: TestFilterRequestDto;

  @ApiProperty({ type: () => TestFilterSchemaDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => TestFilterSchemaDto)
  schema!: TestFilterSchemaDto;
}
