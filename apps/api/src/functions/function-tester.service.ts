import { Injectable } from '@nestjs/common';
import { TransformFailedError, TransformFunctionName, TransformPool } from '@caravan/sandbox';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { TestFunctionDto } from './dto/test-function.dto';
import type { FunctionResponse } from './function-response';

/**
 * Convoy's `test_function` for sources and subscriptions: runs a function against a sample
 * payload in the same sandbox, with the same limits, as the ingester and the dispatcher do.
 * A failing function is a 400 naming `function`, with the error and its line.
 */
@Injectable()
export class FunctionTester {
  constructor(private readonly pool: TransformPool) {}

  async run(kind: TransformFunctionName, input: TestFunctionDto): Promise<FunctionResponse> {
    try {
      const { value, log } = await this.pool.run(kind, input.function, input.payload ?? null);
      return { payload: value, log };
    } catch (error) {
      if (!(error instanceof TransformFailedError)) throw error;
      const where = error.line ? ` (line ${error.line})` : '';
      throw InvalidFieldsException.of('function', `${error.reason}${where}`);
    }
  }
}
