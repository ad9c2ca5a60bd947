import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { envelope } from '../common/envelope';
import { AdminGuard } from '../common/auth/admin.guard';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import type { AuthenticatedRequest } from '../common/auth/principal';
import { CreateApiKeyDto } from './dto/api-key.dto';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { presentApiKey, presentProject } from './project.presenter';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @UseGuards(AdminGuard)
  async create(@Body() body: CreateProjectDto) {
    const { project, apiKey } = await this.projects.create(body);
    return envelope('Project created successfully', {
      project: presentProject(project, { revealMetaEventSecret: true }),
      api_key: { ...presentApiKey(apiKey.record), key: apiKey.key },
    });
  }

  /** The admin sees every project; a project key sees its own. */
  @Get()
  @UseGuards(ProjectAccessGuard)
  async list(@Req() request: AuthenticatedRequest) {
    const principal = request.principal;
    const projects =
      principal?.kind === 'project' ? [await this.projects.get(principal.projectId)] : await this.projects.list();
    return envelope(
      'Projects fetched successfully',
      projects.map((project) => presentProject(project)),
    );
  }

  @Get(':projectID')
  @UseGuards(ProjectAccessGuard)
  async get(@ProjectId() projectId: string) {
    return envelope('Project fetched successfully', presentProject(await this.projects.get(projectId)));
  }

  @Put(':projectID')
  @HttpCode(202)
  @UseGuards(ProjectAccessGuard)
  async update(@ProjectId() projectId: string, @Body() body: UpdateProjectDto) {
    return envelope(
      'Project updated successfully',
      presentProject(await this.projects.update(projectId, body), { revealMetaEventSecret: true }),
    );
  }

  @Delete(':projectID')
  @UseGuards(ProjectAccessGuard)
  async remove(@ProjectId() projectId: string) {
    await this.projects.remove(projectId);
    return envelope('Project deleted successfully', null);
  }

  @Post(':projectID/keys')
  @UseGuards(ProjectAccessGuard)
  async createKey(@ProjectId() projectId: string, @Body() body: CreateApiKeyDto, @Req() request: AuthenticatedRequest) {
    await this.projects.get(projectId);
    const issuer = request.principal;
    const issued = await this.projects.issueKey(projectId, body, issuer?.kind === 'project' ? issuer.expiresAt : null);
    return envelope('API key created successfully', { ...presentApiKey(issued.record), key: issued.key });
  }

  @Get(':projectID/keys')
  @UseGuards(ProjectAccessGuard)
  async listKeys(@ProjectId() projectId: string) {
    return envelope('API keys fetched successfully', (await this.projects.listKeys(projectId)).map(presentApiKey));
  }

  @Delete(':projectID/keys/:keyID')
  @UseGuards(ProjectAccessGuard)
  async revokeKey(@ProjectId() projectId: string, @Param('keyID') keyId: string) {
    await this.projects.revokeKey(projectId, keyId);
    return envelope('API key revoked successfully', null);
  }
}
