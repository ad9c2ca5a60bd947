import { MASKED_CREDENTIAL, presentableAuthentication } from '@caravan/domain';
import { convoySecrets } from '@caravan/meta-events';
import type { EndpointEntity } from '@caravan/persistence';

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

/**
 * An endpoint as the API shows it: Convoy's endpoint object (docs/architecture.md#convoy-compatibility), the `title` and
 * `target_url` aliases of Convoy's older shape, and Caravan's `signature_format`. Signing
 * secrets are shown, as Convoy shows them to the project's own key; an oauth2 client secret
 * and an mTLS private key are masked.
 */
export function presentEndpoint(endpoint: EndpointEntity) {
  return {
    uid: endpoint.id,
    project_id: endpoint.projectId,
    owner_id: endpoint.ownerId ?? '',
    name: endpoint.name,
    title: endpoint.name,
    url: endpoint.url,
    target_url: endpoint.url,
    description: endpoint.description,
    status: endpoint.status,
    secrets: convoySecrets(endpoint),
    advanced_signatures: endpoint.advancedSignatures,
    signature_format: endpoint.signatureFormat,
    http_timeout: endpoint.httpTimeout,
    rate_limit: endpoint.rateLimit,
    rate_limit_duration: endpoint.rateLimitDuration,
    authentication: presentableAuthentication(endpoint.authentication),
    content_type: endpoint.contentType,
    // The private key never leaves Caravan once stored.
    mtls_client_cert: endpoint.mtlsClientCert
      ? { client_cert: endpoint.mtlsClientCert.client_cert, client_key: MASKED_CREDENTIAL }
      : null,
    support_email: endpoint.supportEmail,
    slack_webhook_url: endpoint.slackWebhookUrl,
    cb_state: endpoint.cbState,
    cb_state_changed_at: iso(endpoint.cbStateChangedAt),
    created_at: iso(endpoint.createdAt),
    updated_at: iso(endpoint.updatedAt),
    deleted_at: iso(endpoint.deletedAt),
  };
}

/** Convoy's `endpoint_metadata`: the endpoint without its secrets or credentials. */
export function presentEndpointMetadata(endpoint: EndpointEntity | undefined) {
  if (!endpoint) return null;
  return {
    uid: endpoint.id,
    project_id: endpoint.projectId,
    owner_id: endpoint.ownerId ?? '',
    name: endpoint.name,
    title: endpoint.name,
    url: endpoint.url,
    target_url: endpoint.url,
    description: endpoint.description,
    status: endpoint.status,
    advanced_signatures: endpoint.advancedSignatures,
    http_timeout: endpoint.httpTimeout,
    rate_limit: endpoint.rateLimit,
    rate_limit_duration: endpoint.rateLimitDuration,
    support_email: endpoint.supportEmail,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
    deleted_at: endpoint.deletedAt,
  };
}
