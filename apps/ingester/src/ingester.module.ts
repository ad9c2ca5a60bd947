import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { PlatformModule } from '@caravan/platform';
import { SourceConsumerFactory } from './consumers/source-consumer.factory';
import { INGESTER_SETTINGS } from './ingester-settings.token';
import { IngesterMetrics } from './ingestion/ingester.metrics';
import { MessageIngestor } from './ingestion/message-ingestor.service';
import { SourceRegistry } from './sources/source.registry';

@Module({})
export class IngesterModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: IngesterModule,
      imports: [PlatformModule.forRoot(config)],
      providers: [
        { provide: INGESTER_SETTINGS, useValue: config.ingester },
        IngesterMetrics,
        MessageIngestor,
        SourceConsumerFactory,
        SourceRegistry,
      ],
    };
  }
}
