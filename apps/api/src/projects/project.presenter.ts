import type { ApiKeyEntity, ProjectEntity } from '@caravan/persistence';
import { maskApiKey } from '@caravan/domain';

/** A project as the API shows it (Convoy's field names). The meta-event secret is not shown. */
export function presentProject(project: ProjectEntity) {
  const { meta_event, ...config } = project.config;
  return {
    uid: project.id,
    name: project.name,
    type: project.type,
    config: { ...config, meta_event: { ...meta_event, secret: meta_event.secret ? '********' : '' } },
    created_at: project.createdAt,
    updated_at: project.updatedAt,
    deleted_at: project.deletedAt,
  };
}

/** An API key in listings: masked, never the secret. */
export function presentApiKey(key: ApiKeyEntity) {
  return {
    uid: key.id,
    name: key.name,
    mask_id: key.maskId,
    key: maskApiKey(key.maskId),
    role: { type: key.role, project: key.projectId },
    key_type: key.keyType,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
  };
}
