import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { SourceEntity } from '@caravan/persistence';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { CreateSourceDto } from './dto/create-source.dto';
import { ListSourcesQueryDto } from './dto/list-sources-query.dto';
import { UpdateSourceDto } from './dto/update-source.dto';
import { INGEST_BASE_URL } from './ingest-base-url.token';
import { ApiEnvelope } from '../common/api-envelope.decorator';
import { TestFunctionDto } from '../functions/dto/test-function.dto';
import { FunctionResponse } from '../functions/function-response';
import { FunctionTester } from '../functions/function-tester.service';
import { presentSource } from './source.presenter';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    @Inject(INGEST_BASE_URL) private readonly ingestBaseUrl: string,
    private readonly functions: FunctionTester,
  ) {}

  /** Runs a body_function (or, with `type: header`, a header_function) against a sample payload; Convoy answers 200. */
  @Post('test_function')
  @HttpCode(200)
  @ApiEnvelope(200, FunctionResponse)
  async testFunction(@Body() body: TestFunctionDto) {
    const kind = body.type === 'header' ? 'header_function' : 'body_function';
    return envelope('Source function tested successfully', await this.functions.run(kind, body));
  }

  @Post()
  async create(@ProjectId() projectId: string, @Body() body: CreateSourceDto) {
    return envelope('Source created successfully', this.present(await this.sources.create(projectId, body)));
  }

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: ListSourcesQueryDto) {
    const { type, provider, ...page } = query;
    const { content, pagination } = await this.sources.list(projectId, { type, provider }, page);
    return envelope('Sources fetched successfully', {
      content: content.map((source) => this.present(source)),
      pagination,
    });
  }

  @Get(':sourceID')
  async get(@ProjectId() projectId: string, @Param('sourceID') id: string) {
    return envelope('Source fetched successfully', this.present(await this.sources.get(projectId, id)));
  }

  @Put(':sourceID')
  @HttpCode(202)
  async update(@ProjectId() projectId: string, @Param('sourceID') id: string, @Body() body: UpdateSourceDto) {
    return envelope('Source updated successfully', this.present(await this.sources.update(projectId, id, body)));
  }

  @Delete(':sourceID')
  async remove(@ProjectId() projectId: string, @Param('sourceID') id: string) {
    await this.sources.remove(projectId, id);
    return envelope('Source deleted successfully', null);
  }

  private present(source: SourceEntity) {
    return presentSource(source, this.ingestBaseUrl);
  }
}
