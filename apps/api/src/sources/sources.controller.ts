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
  ) {}

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
