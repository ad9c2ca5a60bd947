import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ExpireSecretDto {
  @ApiPropertyOptional({ description: 'The new secret; generated when absent (same rules as on create)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  secret?: string;

  @ApiProperty({
    description: 'Seconds the current secret keeps signing (overlap window); 0 = stop now',
    maximum: 2_592_000,
  })
  @IsInt()
  @Min(0)
  @Max(30 * 86_400)
  expiration!: number;
}
