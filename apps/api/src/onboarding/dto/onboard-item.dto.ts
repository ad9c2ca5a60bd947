import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One row of a bulk onboarding: an endpoint and its subscription (Convoy's models.OnboardItem). */
export class OnboardItemDto {
  @ApiProperty({ example: 'billing service' })
  name!: string;

  @ApiProperty({ example: 'https://example.com/webhooks' })
  url!: string;

  @ApiPropertyOptional({ description: 'The subscription\'s event type; empty or absent means "*" (every type)' })
  event_type?: string;

  @ApiPropertyOptional({ description: 'With auth_password: the endpoint is called with HTTP Basic authentication' })
  auth_username?: string;

  @ApiPropertyOptional()
  auth_password?: string;
}
