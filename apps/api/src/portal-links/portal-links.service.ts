import { Injectable, NotFoundException } from '@nestjs/common';
import { generateOpaqueToken } from '@caravan/domain';
import {
  EndpointEntity,
  EndpointsRepository,
  Page,
  PageQuery,
  PortalLinkChanges,
  PortalLinkEntity,
  PortalLinksRepository,
} from '@caravan/persistence';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { CreatePortalLinkDto, UpdatePortalLinkDto } from './dto/portal-link.dto';

export interface PortalLinkView {
  link: PortalLinkEntity;
  endpoints: EndpointEntity[];
  /** Only right after creation or a token refresh: the token is stored hashed. */
  token?: string;
}

/** Portal links: who they cover, their tokens (stored hashed), revocation. */
@Injectable()
export class PortalLinksService {
  constructor(
    private readonly links: PortalLinksRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  async create(projectId: string, input: CreatePortalLinkDto): Promise<PortalLinkView> {
    const ownerId = input.owner_id || null;
    const endpointIds = await this.checkEndpoints(projectId, input.endpoints ?? [], ownerId);
    const { token, tokenHash } = generateOpaqueToken();
    const link = await this.links.insert({
      projectId,
      name: input.name || ownerId || 'portal link',
      ownerId,
      endpointIds,
      canManageEndpoint: input.can_manage_endpoint ?? false,
      authType: input.auth_type || 'static_token',
      tokenHash,
    });
    return { ...(await this.view(link)), token };
  }

  async list(projectId: string, filter: { ownerId?: string; q?: string }, page: PageQuery) {
    const found: Page<PortalLinkEntity> = await this.links.list(projectId, filter, page);
    return { content: await Promise.all(found.content.map((link) => this.view(link))), pagination: found.pagination };
  }

  async get(projectId: string, id: string): Promise<PortalLinkView> {
    return this.view(await this.find(projectId, id));
  }

  async update(projectId: string, id: string, input: UpdatePortalLinkDto): Promise<PortalLinkView> {
    const current = await this.find(projectId, id);
    const changes: PortalLinkChanges = {};
    if (input.name) changes.name = input.name;
    if (input.owner_id !== undefined) changes.ownerId = input.owner_id || null;
    if (input.endpoints !== undefined) changes.endpointIds = input.endpoints;
    if (input.can_manage_endpoint !== undefined) changes.canManageEndpoint = input.can_manage_endpoint;
    if (input.auth_type) changes.authType = input.auth_type;
    const ownerId = changes.ownerId !== undefined ? changes.ownerId : current.ownerId;
    changes.endpointIds = await this.checkEndpoints(projectId, changes.endpointIds ?? current.endpointIds, ownerId);
    const updated = await this.links.update(projectId, id, changes);
    if (!updated) throw new NotFoundException(`portal link ${id} not found`);
    return this.view(updated);
  }

  /** A new token; the previous one stops working at once. */
  async refreshToken(projectId: string, id: string): Promise<string> {
    const { token, tokenHash } = generateOpaqueToken();
    if (!(await this.links.replaceToken(projectId, id, tokenHash))) {
      throw new NotFoundException(`portal link ${id} not found`);
    }
    return token;
  }

  async revoke(projectId: string, id: string): Promise<void> {
    if (!(await this.links.revoke(projectId, id))) throw new NotFoundException(`portal link ${id} not found`);
  }

  /** The endpoints a link covers now: its owner's (present and future) and its listed ones. */
  async endpointsOf(link: PortalLinkEntity): Promise<EndpointEntity[]> {
    const [owned, listed] = await Promise.all([
      link.ownerId ? this.endpoints.findByOwner(link.projectId, link.ownerId) : Promise.resolve([]),
      this.endpoints.findByIds(link.projectId, link.endpointIds),
    ]);
    const byId = new Map([...owned, ...listed].map((endpoint) => [endpoint.id, endpoint] as const));
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private async view(link: PortalLinkEntity): Promise<PortalLinkView> {
    return { link, endpoints: await this.endpointsOf(link) };
  }

  private async find(projectId: string, id: string): Promise<PortalLinkEntity> {
    const link = await this.links.findById(projectId, id);
    if (!link) throw new NotFoundException(`portal link ${id} not found`);
    return link;
  }

  private async checkEndpoints(projectId: string, ids: readonly string[], ownerId: string | null): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (!ownerId && unique.length === 0) {
      throw InvalidFieldsException.of('owner_id', 'give an owner_id or a list of endpoints');
    }
    const found = new Set((await this.endpoints.findByIds(projectId, unique)).map((endpoint) => endpoint.id));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw InvalidFieldsException.of('endpoints', `no such endpoint in this project: ${missing.join(', ')}`);
    }
    return unique;
  }
}
