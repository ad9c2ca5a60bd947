import { presentEndpoint } from '../endpoints/endpoint.presenter';
import type { PortalLinkView } from './portal-links.service';

/** The dashboard's portal page; the token travels in the fragment-free query and is moved to session storage at once. */
export function portalUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/portal?token=${encodeURIComponent(token)}`;
}

/**
 * Convoy's PortalLinkResponse. `token`, `auth_key` and `url` are filled only in the answer
 * that created the token (creation, refresh_token): only its hash is stored.
 */
export function presentPortalLink({ link, endpoints, token }: PortalLinkView, publicUrl: string) {
  return {
    uid: link.id,
    name: link.name,
    project_id: link.projectId,
    owner_id: link.ownerId ?? '',
    endpoints: link.endpointIds,
    endpoint_count: endpoints.length,
    endpoints_metadata: endpoints.map(presentEndpoint),
    can_manage_endpoint: link.canManageEndpoint,
    auth_type: link.authType,
    token: token ?? '',
    auth_key: token ?? '',
    url: token ? portalUrl(publicUrl, token) : '',
    created_at: link.createdAt.toISOString(),
    updated_at: link.updatedAt.toISOString(),
    deleted_at: link.deletedAt ? link.deletedAt.toISOString() : null,
  };
}
