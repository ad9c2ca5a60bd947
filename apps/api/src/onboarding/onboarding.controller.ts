import {
  Body,
  Controller,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { OnboardQueryDto } from './dto/onboard-query.dto';
import { OnboardRequestDto } from './dto/onboard-request.dto';
import { OnboardingService } from './onboarding.service';

/** Largest CSV upload read. */
const MAX_CSV_BYTES = 5 * 1024 * 1024;

@ApiTags('onboard')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/onboard')
export class OnboardingController {
  constructor(private readonly onboarding: OnboardingService) {}

  /**
   * Convoy's BulkOnboard: 202 with what was created, or with `dry_run=true` 200 and a report of
   * what would be created and every row's error. JSON `{items}` or a multipart CSV `file`.
   */
  @Post()
  @HttpCode(202)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: OnboardRequestDto })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_CSV_BYTES, files: 1 } }))
  async onboard(
    @ProjectId() projectId: string,
    @Query() query: OnboardQueryDto,
    @Body() body: OnboardRequestDto,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json') && !request.is('multipart/form-data')) {
      throw new UnsupportedMediaTypeException(
        `Content-Type must be application/json or multipart/form-data (got ${request.headers['content-type'] ?? 'none'})`,
      );
    }
    const items = file ? this.onboarding.itemsFromCsv(file.buffer) : body?.items;
    if (query.dry_run) {
      response.status(200);
      return envelope('Dry run completed', await this.onboarding.dryRun(projectId, items));
    }
    return envelope('Bulk onboard accepted', await this.onboarding.onboard(projectId, items));
  }
}
