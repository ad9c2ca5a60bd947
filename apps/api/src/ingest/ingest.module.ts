import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({
  imports: [IntakeModule],
  controllers: [IngestController],
  providers: [IngestService],
})
export class IngestModule {}
