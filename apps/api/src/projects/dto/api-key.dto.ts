import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CreateApiKeyDto {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name!: string;

  /** Seconds until the key stops working; absent means it does not expire. */
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(10 * 365 * 86_400)
  expiration?: number;
}
