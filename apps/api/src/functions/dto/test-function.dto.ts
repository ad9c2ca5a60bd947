import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional } from 'class-validator';
import { IsTransformFunction } from '../../common/transform-function.decorator';

/** Convoy's `models.FunctionRequest`. */
export class TestFunctionDto {
  @ApiProperty({ description: 'JavaScript declaring `function transform(payload)`' })
  @IsTransformFunction('function')
  function!: string;

  @ApiPropertyOptional({ description: 'The sample payload (any JSON value) passed to transform' })
  @Allow()
  payload?: unknown;

  @ApiPropertyOptional({
    enum: ['body', 'header'],
    description: "A source function's kind: body (default) or header; ignored for subscriptions",
  })
  @IsOptional()
  @IsIn(['body', 'header', ''])
  type?: string;
}
