import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { envelope } from '../common/envelope';
import { isMediaType } from '../common/media-type.validator';
import { IngestService } from './ingest.service';

/** Incoming webhooks: no API key, the source's verifier decides. */
@ApiTags('ingest')
@Controller('ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post(':maskId')
  @HttpCode(200)
  async receive(
    @Param('maskId') maskId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { event, duplicate, source } = await this.ingest.receive(maskId, request);
    if (duplicate) {
      return envelope('Duplicate event received, but will not be sent', { uid: event.id, event_type: event.eventType });
    }
    const custom = source.customResponse;
    if (custom?.body) {
      // A tenant's body served from the api's origin: never sniffed, never active content.
      response.setHeader(
        'Content-Type',
        isMediaType(custom.content_type) ? custom.content_type : 'text/plain; charset=utf-8',
      );
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox; frame-ancestors 'none'");
      return custom.body;
    }
    return envelope('Event received', { uid: event.id, event_type: event.eventType });
  }

  /** Twitter's CRC check; answers exactly `{"response_token": …}` (no envelope), as Twitter expects. */
  @Get(':maskId')
  crc(@Param('maskId') maskId: string, @Query('crc_token') crcToken: string | undefined) {
    return this.ingest.crc(maskId, typeof crcToken === 'string' ? crcToken : undefined);
  }
}
