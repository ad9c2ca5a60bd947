import { Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { CLOCK, Clock, generateApiKey, systemClock } from '@caravan/domain';
import { ProjectDirectory } from '@caravan/intake';
import {
  ApiKeyEntity,
  ApiKeysRepository,
  ProjectConfigInput,
  ProjectEntity,
  ProjectsRepository,
} from '@caravan/persistence';
import type { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import type { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyAuthenticator } from '../common/auth/api-key-authenticator.service';
import { InvalidFieldsException } from '../common/invalid-fields.exception';

export interface IssuedApiKey {
  record: ApiKeyEntity;
  /** The full key: returned once, never stored. */
  key: string;
}

@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly apiKeys: ApiKeysRepository,
    private readonly directory: ProjectDirectory,
    private readonly authenticator: ApiKeyAuthenticator,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** Creates the project and its first key together; the key is shown only in this answer. */
  async create(input: CreateProjectDto): Promise<{ project: ProjectEntity; apiKey: IssuedApiKey }> {
    const project = await this.projects.create({
      name: input.name,
      type: input.type,
      // `config: null` means unset, as Convoy reads it.
      config: (input.config ?? undefined) as ProjectConfigInput | undefined,
    });
    const apiKey = await this.issueKey(project.id, { name: `${input.name} default key` }, null);
    return { project, apiKey };
  }

  async get(projectId: string): Promise<ProjectEntity> {
    const project = await this.projects.findById(projectId);
    if (!project) throw new NotFoundException(`project ${projectId} not found`);
    return project;
  }

  list(): Promise<ProjectEntity[]> {
    return this.projects.listAll();
  }

  async update(projectId: string, input: UpdateProjectDto): Promise<ProjectEntity> {
    const project = await this.projects.update(projectId, {
      name: input.name,
      // `config: null` means unset, as Convoy reads it.
      config: (input.config ?? undefined) as ProjectConfigInput | undefined,
    });
    if (!project) throw new NotFoundException(`project ${projectId} not found`);
    this.directory.forget(projectId);
    return project;
  }

  async remove(projectId: string): Promise<void> {
    if (!(await this.projects.softDelete(projectId))) {
      throw new NotFoundException(`project ${projectId} not found`);
    }
    this.directory.forget(projectId);
    this.authenticator.forgetProject(projectId);
  }

  /**
   * A new key of the project. A key that expires can only create keys that expire no later
   * than itself (else a short-lived key could outlive itself through its child): without an
   * `expiration` the new key expires with its issuer, and a later one is refused.
   */
  async issueKey(projectId: string, input: CreateApiKeyDto, issuerExpiresAt: Date | null): Promise<IssuedApiKey> {
    const asked = input.expiration ? new Date(this.clock.now() + input.expiration * 1000) : null;
    if (issuerExpiresAt && asked && asked > issuerExpiresAt) {
      const left = Math.max(0, Math.floor((issuerExpiresAt.getTime() - this.clock.now()) / 1000));
      throw InvalidFieldsException.of(
        'expiration',
        `must not outlive the key that creates it (at most ${left} seconds, until ${issuerExpiresAt.toISOString()})`,
      );
    }
    const generated = generateApiKey();
    const record = await this.apiKeys.insert({
      projectId,
      name: input.name,
      maskId: generated.maskId,
      keyHash: generated.secretHash,
      expiresAt: asked ?? issuerExpiresAt,
    });
    return { record, key: generated.key };
  }

  listKeys(projectId: string): Promise<ApiKeyEntity[]> {
    return this.apiKeys.listForProject(projectId);
  }

  async revokeKey(projectId: string, keyId: string): Promise<void> {
    if (!(await this.apiKeys.revoke(projectId, keyId))) {
      throw new NotFoundException(`api key ${keyId} not found in project ${projectId}`);
    }
    this.authenticator.forgetKey(keyId);
  }
}
