import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class AmqpAuthDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  user!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  password!: string;
}
