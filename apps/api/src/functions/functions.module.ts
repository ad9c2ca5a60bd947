import { Global, Module } from '@nestjs/common';
import { FunctionTester } from './function-tester.service';

/** The function tester, shared by the sources and subscriptions routes. */
@Global()
@Module({ providers: [FunctionTester], exports: [FunctionTester] })
export class FunctionsModule {}
