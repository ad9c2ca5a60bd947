import { DynamicModule, Module } from '@nestjs/common';
import { INGEST_BASE_URL } from './ingest-base-url.token';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';

@Module({})
export class SourcesModule {
  /** `publicUrl`: config.api.publicUrl, the base of every source's ingest URL. */
  static forRoot(publicUrl: string): DynamicModule {
    return {
      module: SourcesModule,
      // Events show their source's ingest URL too.
      global: true,
      exports: [INGEST_BASE_URL],
      controllers: [SourcesController],
      providers: [{ provide: INGEST_BASE_URL, useValue: `${publicUrl}/ingest` }, SourcesService],
    };
  }
}
