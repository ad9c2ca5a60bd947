import { ApiProperty } from '@nestjs/swagger';

/** Convoy's `models.FunctionResponse`: the transformed payload and what the function logged. */
export class FunctionResponse {
  @ApiProperty({ description: 'Any JSON value' }) payload!: unknown;
  @ApiProperty({ type: [String] }) log!: string[];
}
