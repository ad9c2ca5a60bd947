import { ConflictException, Inject, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  CLOCK,
  Clock,
  EndpointAuthentication,
  EndpointContentType,
  EndpointSecret,
  EndpointStatus,
  generateConvoySecret,
  generateStandardWebhooksSecret,
  isStandardWebhooksSecret,
  liveSecrets,
  MASKED_CREDENTIAL,
  MetaEventType,
  MtlsClientCert,
  newId,
  SignatureFormat,
  systemClock,
} from '@caravan/domain';
import { EndpointDirectory } from '@caravan/intake';
import { MetaEventPayloads, MetaEventPublisher } from '@caravan/meta-events';
import {
  EndpointEntity,
  EndpointFilter,
  EndpointsRepository,
  NewEndpoint,
  Page,
  PageQuery,
  ProjectEntity,
  ProjectsRepository,
} from '@caravan/persistence';
import type { CreateEndpointDto } from './dto/create-endpoint.dto';
import type { EndpointAuthenticationDto, MtlsClientCertDto } from './dto/endpoint-authentication.dto';
import type { ExpireSecretDto } from './dto/expire-secret.dto';
import type { UpdateEndpointDto } from './dto/update-endpoint.dto';
import { InvalidFieldsException } from '../common/invalid-fields.exception';

type EndpointChanges = Parameters<EndpointsRepository['applyChanges']>[2];

/**
 * A body read back from the API and sent again carries the masked credentials: those mean
 * "unchanged", not a new secret.
 */
function keepMaskedSecrets(
  input: EndpointAuthenticationDto | null | undefined,
  existing: EndpointEntity,
): EndpointAuthenticationDto | null | undefined {
  const stored = existing.authentication;
  if (
    input?.type !== 'oauth2' ||
    !input.oauth2?.client_secret.startsWith(MASKED_CREDENTIAL) ||
    stored?.type !== 'oauth2'
  ) {
    return input;
  }
  return { ...input, oauth2: { ...input.oauth2, client_secret: stored.oauth2.client_secret } };
}

/** Endpoint rules: URL policy, secrets and their rotation, status moves, meta events. */
@Injectable()
export class EndpointsService {
  private readonly logger = new Logger(EndpointsService.name);

  constructor(
    private readonly endpoints: EndpointsRepository,
    private readonly projects: ProjectsRepository,
    private readonly metaEvents: MetaEventPublisher,
    private readonly directory: EndpointDirectory,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async create(projectId: string, input: CreateEndpointDto): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const endpoint = await this.endpoints.insert(this.draft(project, input));
    await this.announceCreated(project, endpoint);
    return endpoint;
  }

  /**
   * The row `create` inserts for `input`, with every endpoint rule applied (URL policy, secret
   * format); an InvalidFieldsException names what breaks a rule. Bulk onboarding uses it too.
   */
  draft(project: ProjectEntity, input: CreateEndpointDto): NewEndpoint {
    this.checkUrl(project, input.url);
    const format = input.signature_format ?? SignatureFormat.Convoy;
    return {
      projectId: project.id,
      name: input.name,
      url: input.url,
      ownerId: input.owner_id || null,
      description: input.description,
      status: input.is_disabled ? EndpointStatus.Inactive : EndpointStatus.Active,
      secrets: [this.newSecret(format, input.secret)],
      // Convoy's default: advanced (t=…,v1=…) signatures unless the endpoint opts out.
      advancedSignatures: input.advanced_signatures ?? true,
      signatureFormat: format,
      httpTimeout: input.http_timeout,
      rateLimit: input.rate_limit,
      rateLimitDuration: input.rate_limit_duration,
      authentication: this.authenticationOf(input.authentication) ?? null,
      contentType: input.content_type || EndpointContentType.Json,
      mtlsClientCert: this.mtlsOf(input.mtls_client_cert) ?? null,
      supportEmail: input.support_email,
      slackWebhookUrl: input.slack_webhook_url,
    };
  }

  /** The `endpoint.created` meta event of a committed endpoint. */
  announceCreated(project: ProjectEntity, endpoint: EndpointEntity): Promise<void> {
    return this.announce(project, MetaEventType.EndpointCreated, endpoint);
  }

  /**
   * `POST /events/dynamic`'s endpoint: the project's live one with this URL, or a new one made
   * under the rules of `create` (URL policy, generated secret, Convoy's defaults, the
   * endpoint.created meta event), subscribed to `eventTypes` (all when empty).
   */
  async ensureForUrl(
    projectId: string,
    input: { url: string; secret?: string; eventTypes: readonly string[] },
  ): Promise<{ project: ProjectEntity; endpoint: EndpointEntity }> {
    const project = await this.project(projectId);
    this.checkUrl(project, input.url);
    const { endpoint, created } = await this.endpoints.ensureForUrl(
      {
        projectId,
        name: input.url,
        url: input.url,
        secrets: [this.newSecret(SignatureFormat.Convoy, input.secret)],
        advancedSignatures: true,
        signatureFormat: SignatureFormat.Convoy,
      },
      input.eventTypes,
    );
    if (created) await this.announce(project, MetaEventType.EndpointCreated, endpoint);
    return { project, endpoint };
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
      authentication: this.authenticationOf(keepMaskedSecrets(input.authentication, existing)),
      contentType: input.content_type === undefined ? undefined : input.content_type || EndpointContentType.Json,
      mtlsClientCert: this.mtlsOf(
        input.mtls_client_cert?.client_key === MASKED_CREDENTIAL && existing.mtlsClientCert
          ? { ...input.mtls_client_cert, client_key: existing.mtlsClientCert.client_key }
          : input.mtls_client_cert,
      ),
      supportEmail: input.support_email,
      slackWebhookUrl: input.slack_webhook_url,
      status: this.statusAfter(existing.status, input.is_disabled),
    };
    if (input.secret) {
      changes.secrets = [this.newSecret(format, input.secret)];
    } else if (
      format === SignatureFormat.StandardWebhooks &&
      !liveSecrets(existing.secrets, new Date(this.clock.now())).every((secret) =>
        isStandardWebhooksSecret(secret.value),
      )
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
    const expiresAt = new Date(this.clock.now() + input.expiration * 1000).toISOString();
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

  /** Convoy's older toggle: active → inactive, inactive or paused → active; pending is a 400. */
  async toggleStatus(projectId: string, id: string): Promise<EndpointEntity> {
    const project = await this.project(projectId);
    const existing = await this.get(projectId, id);
    if (existing.status === EndpointStatus.Active) {
      return this.transition(project, existing, [EndpointStatus.Active], EndpointStatus.Inactive);
    }
    const from = [EndpointStatus.Inactive, EndpointStatus.Paused];
    if (!from.includes(existing.status)) {
      throw InvalidFieldsException.of('status', `a ${existing.status} endpoint cannot be toggled`);
    }
    return this.transition(project, existing, from, EndpointStatus.Active);
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

  async project(projectId: string): Promise<ProjectEntity> {
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

  /** The block of the given type only; an empty type means none (null). Undefined stays undefined. */
  private authenticationOf(
    input: EndpointAuthenticationDto | null | undefined,
  ): EndpointAuthentication | null | undefined {
    if (input === undefined) return undefined;
    if (input?.type === 'api_key' && input.api_key) {
      const { header_name, header_value } = input.api_key;
      return { type: 'api_key', api_key: { header_name, header_value } };
    }
    if (input?.type === 'basic_auth' && input.basic_auth) {
      const { username, password } = input.basic_auth;
      return { type: 'basic_auth', basic_auth: { username, password } };
    }
    if (input?.type === 'oauth2' && input.oauth2) {
      const { url, client_id, client_secret, scope, audience, field_mapping, expiry_time_unit } = input.oauth2;
      const mapping = {
        ...(field_mapping?.access_token ? { access_token: field_mapping.access_token } : {}),
        ...(field_mapping?.token_type ? { token_type: field_mapping.token_type } : {}),
        ...(field_mapping?.expires_in ? { expires_in: field_mapping.expires_in } : {}),
      };
      return {
        type: 'oauth2',
        oauth2: {
          url,
          client_id,
          client_secret,
          grant_type: 'client_credentials',
          ...(scope ? { scope } : {}),
          ...(audience ? { audience } : {}),
          ...(expiry_time_unit ? { expiry_time_unit } : {}),
          ...(Object.keys(mapping).length > 0 ? { field_mapping: mapping } : {}),
        },
      };
    }
    return null;
  }

  /** A PEM certificate and key that Node can load (empty strings: none). Undefined stays undefined. */
  private mtlsOf(input: MtlsClientCertDto | null | undefined): MtlsClientCert | null | undefined {
    if (input === undefined) return undefined;
    if (!input || (!input.client_cert && !input.client_key)) return null;
    const problems: string[] = [];
    try {
      new X509Certificate(input.client_cert);
    } catch {
      problems.push('mtls_client_cert.client_cert: must be a PEM certificate');
    }
    try {
      createPrivateKey(input.client_key);
    } catch {
      problems.push('mtls_client_cert.client_key: must be a PEM private key');
    }
    if (problems.length > 0) throw InvalidFieldsException.fromProblems(problems);
    return { client_cert: input.client_cert, client_key: input.client_key };
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
    return { uid: newId(), value, created_at: new Date(this.clock.now()).toISOString(), expires_at: null };
  }

  /**
   * After an endpoint's change is committed: the intake's directory forgets the project's
   * endpoints, and the meta event is recorded and rung (a failure there is logged, not thrown).
   */
  private async announce(project: ProjectEntity, type: MetaEventType, endpoint: EndpointEntity): Promise<void> {
    this.directory.forget(project.id);
    try {
      await this.metaEvents.publish(project, type, MetaEventPayloads.endpoint(endpoint));
    } catch (error) {
      this.logger.error(
        { project_id: project.id, endpoint_id: endpoint.id, meta_event_type: type, err: error },
        'meta event not recorded',
      );
    }
  }
}
