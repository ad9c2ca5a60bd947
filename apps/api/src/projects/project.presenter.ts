import type { ApiKeyEntity, ProjectEntity } from '@caravan/persistence';
import { MASKED_CREDENTIAL, maskApiKey } from '@caravan/domain';

/**
 * A project as the API shows it (Convoy's field names). The meta-event secret is shown only
 * in the answer to the request that wrote the config (it may have been generated there, and
 * receivers need it to verify meta events); reads mask it.
 */
export function presentProject(project: ProjectEntity, options: { revealMetaEventSecret?: boolean } = {}) {
  const { meta_event, ...config } = project.config;
  const secret = options.revealMetaEventSecret ? meta_event.secret : meta_event.secret ? MASKED_CREDENTIAL : '';
  return {
    uid: project.id,
    name: project.name,
    type: project.type,
    config: { ...config, meta_event: { ...meta_event, secret } },
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
