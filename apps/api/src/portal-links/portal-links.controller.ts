import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { CreatePortalLinkDto, ListPortalLinksQueryDto, UpdatePortalLinkDto } from './dto/portal-link.dto';
import { presentPortalLink } from './portal-link.presenter';
import { PortalLinksService, PortalLinkView } from './portal-links.service';

export const PUBLIC_URL = Symbol('PUBLIC_URL');

/** Convoy's six /portal-links operations. */
@ApiTags('portal links')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/portal-links')
export class PortalLinksController {
  constructor(
    private readonly links: PortalLinksService,
    @Inject(PUBLIC_URL) private readonly publicUrl: string,
  ) {}

  @Post()
  async create(@ProjectId() projectId: string, @Body() body: CreatePortalLinkDto) {
    return envelope('Portal link created successfully', this.present(await this.links.create(projectId, body)));
  }

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: ListPortalLinksQueryDto) {
    const { ownerId, q, ...page } = query;
    const { content, pagination } = await this.links.list(projectId, { ownerId, q }, page);
    return envelope('Portal links fetched successfully', {
      content: content.map((view) => this.present(view)),
      pagination,
    });
  }

  @Get(':portalLinkID')
  async get(@ProjectId() projectId: string, @Param('portalLinkID') id: string) {
    return envelope('Portal link fetched successfully', this.present(await this.links.get(projectId, id)));
  }

  @Put(':portalLinkID')
  @HttpCode(202)
  async update(@ProjectId() projectId: string, @Param('portalLinkID') id: string, @Body() body: UpdatePortalLinkDto) {
    return envelope('Portal link updated successfully', this.present(await this.links.update(projectId, id, body)));
  }

  /** A new token (the old one stops working); answered once, as Convoy does, as a bare string. */
  @Get(':portalLinkID/refresh_token')
  async refreshToken(@ProjectId() projectId: string, @Param('portalLinkID') id: string) {
    return envelope('Portal link auth token refreshed successfully', await this.links.refreshToken(projectId, id));
  }

  @Put(':portalLinkID/revoke')
  async revoke(@ProjectId() projectId: string, @Param('portalLinkID') id: string) {
    await this.links.revoke(projectId, id);
    return envelope('Portal link revoked successfully', null);
  }

  private present(view: PortalLinkView) {
    return presentPortalLink(view, this.publicUrl);
  }
}
