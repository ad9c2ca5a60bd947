import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  EndpointAuthentication,
  EndpointSecret,
  EndpointStatus,
  generateConvoySecret,
  generateStandardWebhooksSecret,
  isStandardWebhooksSecret,
  liveSecrets,
  MetaEventType,
  newId,
  SignatureFormat,
} from '@caravan/domain';
import { MetaEventPayloads, MetaEventPublisher } from '@caravan/intake';
import {
  EndpointEntity,
  EndpointFilter,
  EndpointsRepository,
  Page,
  PageQuery,
  ProjectEntity,
  ProjectsRepository,
} from '@caravan/persistence';
import type { CreateEndpointDto } from './dto/create-endpoint.dto';
import type { EndpointAuthenticationDto } from './dto/endpoint-authentication.dto';
import type { ExpireSecretDto } from './dto/expire-secret.dto';
import type { UpdateEndpointDto } from './dto/update-endpoint.dto';
import { InvalidFieldsException } from '../common/invalid-fields.exception';

type EndpointChanges = Parameters<EndpointsRepository['applyChanges']>[2];

/** Endpoint rules: URL policy, secrets and their rotation, status moves, meta events. */
@Injectable()
export class EndpointsService {
  private readonly logger = new Logger(EndpointsService.name);

  constructor(
    private readonly endpoints: EndpointsRepository,
    private readonly projects: ProjectsRepository,
    private readonly metaEvents: MetaEventPublisher,
  ) {}

  async create(projectId: string, input: CreateEndpointDto): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    this.checkUrl(project, input.url);
    const format = input.signature_format ?? SignatureFormat.Convoy;
    const endpoint = await this.endpoints.insert({
      projectId,
      name: input.name,
      url: input.url,
      ownerId: input.owner_id || null,
      description: input.description,
      status: input.is_disabled ? EndpointStatus.Inactive : EndpointStatus.Active,
      secrets: [this.newSecret(format, input.secret)],
      advancedSignatures: input.advanced_signatures,
      signatureFormat: format,
      httpTimeout: input.http_timeout,
      rateLimit: input.rate_limit,
      rateLimitDuration: input.rate_limit_duration,
      authentication: this.authenticationOf(input.authentication) ?? null,
      supportEmail: input.support_email,
      slackWebhookUrl: input.slack_webhook_url,
    });
    await this.announce(project, MetaEventType.EndpointCreated, endpoint);
    return endpoint;
  }

  async get(projectId: string, id: string): Promise<EndpointEntity> {
    const endpoint = await this.endpoints.findById(projectId, id);
    if (!endpoint) throw new NotFoundException(`endpoint ${id} not found`);
    return endpoint;
  }

  list(projectId: string, filter: EndpointFilter, page: PageQuery): Promise<Page<EndpointEntity>> {
    return this.endpoints.list(projectId, filter, page);
  }

  /**
   * Changes the given fields. A given `secret` replaces every secret (use expire_secret for a
   * rotation with an overlap window); switching to standard-webhooks needs whsec_ secrets.
   */
  async update(projectId: string, id: string, input: UpdateEndpointDto): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const existing = await this.get(projectId, id);
    if (input.url !== undefined) this.checkUrl(project, input.url);
    const format = input.signature_format ?? existing.signatureFormat;
    const changes: EndpointChanges = {
      name: input.name,
      url: input.url,
      ownerId: input.owner_id === undefined ? undefined : input.owner_id || null,
      description: input.description,
      advancedSignatures: input.advanced_signatures,
      signatureFormat: input.signature_format,
      httpTimeout: input.http_timeout,
      rateLimit: input.rate_limit,
      rateLimitDuration: input.rate_limit_duration,
      authentication: this.authenticationOf(input.authentication),
      supportEmail: input.support_email,
      slackWebhookUrl: input.slack_webhook_url,
      status: this.statusAfter(existing.status, input.is_disabled),
    };
    if (input.secret) {
      changes.secrets = [this.newSecret(format, input.secret)];
    } else if (
      format === SignatureFormat.StandardWebhooks &&
      !liveSecrets(existing.secrets, new Date()).every((secret) => isStandardWebhooksSecret(secret.value))
    ) {
      throw InvalidFieldsException.of(
        'secret',
        'switching signature_format to standard-webhooks needs a whsec_ secret (the current one is not)',
      );
    }
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const updated = await this.endpoints.applyChanges(projectId, id, defined);
    if (!updated) throw new NotFoundException(`endpoint ${id} not found`);
    await this.announce(project, MetaEventType.EndpointUpdated, updated);
    return updated;
  }

  /**
   * Rotation with an overlap window: the current secret keeps signing for `expiration`
   * seconds, the new one (given or generated) signs from now.
   */
  async expireSecret(projectId: string, id: string, input: ExpireSecretDto): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const existing = await this.get(projectId, id);
    const secret = this.newSecret(existing.signatureFormat, input.secret);
    const expiresAt = new Date(Date.now() + input.expiration * 1000).toISOString();
    const updated = await this.endpoints.rotateSecret(projectId, id, secret, expiresAt);
    if (!updated) throw new NotFoundException(`endpoint ${id} not found`);
    await this.announce(project, MetaEventType.EndpointUpdated, updated);
    return updated;
  }

  /** active → paused, paused → active; any other status is a 400. */
  async togglePause(projectId: string, id: string): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const existing = await this.get(projectId, id);
    const next =
      existing.status === EndpointStatus.Active
        ? EndpointStatus.Paused
        : existing.status === EndpointStatus.Paused
          ? EndpointStatus.Active
          : null;
    if (!next) {
      throw InvalidFieldsException.of(
        'status',
        `an ${existing.status} endpoint cannot be paused or resumed; activate it`,
      );
    }
    return this.transition(project, existing, [existing.status], next);
  }

  /** inactive or paused → active. */
  async activate(projectId: string, id: string): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const existing = await this.get(projectId, id);
    const from = [EndpointStatus.Inactive, EndpointStatus.Paused];
    if (!from.includes(existing.status)) {
      throw InvalidFieldsException.of(
        'status',
        `the endpoint is ${existing.status}; only an inactive or paused one can be activated`,
      );
    }
    return this.transition(project, existing, from, EndpointStatus.Active);
  }

  /** Soft delete; the endpoint's subscriptions go with it. */
  async remove(projectId: string, id: string): Promise<void> {
    const project = await this.project(projectId);
    const deleted = await this.endpoints.softDeleteWithSubscriptions(projectId, id);
    if (!deleted) throw new NotFoundException(`endpoint ${id} not found`);
    await this.announce(project, MetaEventType.EndpointDeleted, deleted);
  }

  private async transition(
    project: ProjectEntity,
    existing: EndpointEntity,
    from: EndpointStatus[],
    to: EndpointStatus,
  ): Promise<EndpointEntity> {
    const updated = await this.endpoints.transitionStatus(project.id, existing.id, from, to);
    if (!updated) throw new ConflictException(`endpoint ${existing.id} changed meanwhile; retry`);
    await this.announce(project, MetaEventType.EndpointUpdated, updated);
    return updated;
  }

  private async project(projectId: string): Promise<ProjectEntity> {
    const project = await this.projects.findById(projectId);
    if (!project) throw new NotFoundException(`project ${projectId} not found`);
    return project;
  }

  /** http(s) only (the DTO checks that); https only when the project enforces secure endpoints. */
  private checkUrl(project: ProjectEntity, url: string): void {
    if (project.config.ssl.enforce_secure_endpoints && new URL(url).protocol !== 'https:') {
      throw InvalidFieldsException.of('url', 'must be an https URL: the project enforces secure endpoints');
    }
  }

  /** Only an api_key authentication is kept; an empty type means none (null). Undefined stays undefined. */
  private authenticationOf(
    input: EndpointAuthenticationDto | null | undefined,
  ): EndpointAuthentication | null | undefined {
    if (input === undefined) return undefined;
    if (!input || input.type !== 'api_key' || !input.api_key) return null;
    const { header_name, header_value } = input.api_key;
    return { type: 'api_key', api_key: { header_name, header_value } };
  }

  private statusAfter(current: EndpointStatus, isDisabled: boolean | undefined): EndpointStatus | undefined {
    if (isDisabled === true) return EndpointStatus.Inactive;
    if (isDisabled === false && current === EndpointStatus.Inactive) return EndpointStatus.Active;
    return undefined;
  }

  /** The given secret (checked against the format) or a generated one, signing from now. */
  private newSecret(format: SignatureFormat, given: string | undefined): EndpointSecret {
    if (given && format === SignatureFormat.StandardWebhooks && !isStandardWebhooksSecret(given)) {
      throw InvalidFieldsException.of(
        'secret',
        'a standard-webhooks secret must be whsec_ followed by base64 of 24 to 64 bytes',
      );
    }
    const value =
      given ||
      (format === SignatureFormat.StandardWebhooks ? generateStandardWebhooksSecret() : generateConvoySecret());
    return { uid: newId(), value, created_at: new Date().toISOString(), expires_at: null };
  }

  /** Records and rings the meta event; the change itself is committed, so a failure here is logged, not thrown. */
  private async announce(project: ProjectEntity, type: MetaEventType, endpoint: EndpointEntity): Promise<void> {
    try {
      await this.metaEvents.publish(project, type, MetaEventPayloads.endpoint(endpoint));
    } catch (error) {
      this.logger.error(`meta event ${type} for endpoint ${endpoint.id} not recorded: ${(error as Error).message}`);
    }
  }
}
