import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { apiKeySecretMatches, constantTimeEquals, parseApiKey } from '@caravan/domain';
import { ApiKeysRepository } from '@caravan/persistence';
import type { Principal } from './principal';

export const ADMIN_API_KEY = Symbol('ADMIN_API_KEY');

/**
 * How long a verified project key is trusted before it is looked up again. Revoking a key
 * or deleting a project through this process takes effect at once; other api replicas stop
 * accepting it within this time.
 */
export const AUTH_CACHE_TTL_MS = 5_000;

/** Turns an Authorization header into a Principal, or refuses with 401. */
@Injectable()
export class ApiKeyAuthenticator {
  /** Keyed by a SHA-256 of the presented key, so no key is kept in memory as it is. */
  private readonly verified = new LRUCache<string, Extract<Principal, { kind: 'project' }>>({
    max: 10_000,
    ttl: AUTH_CACHE_TTL_MS,
  });

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    @Inject(ADMIN_API_KEY) private readonly adminKey: string | undefined,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    // Convoy's docs show both `Bearer <key>` and the bare key; accept either.
    const presented = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!presented) throw new UnauthorizedException('Authentication required');
    if (this.adminKey && constantTimeEquals(presented, this.adminKey)) return { kind: 'admin' };
    const parsed = parseApiKey(presented);
    if (!parsed) throw new UnauthorizedException('Authentication required');
    const fingerprint = createHash('sha256').update(presented).digest('base64');
    const cached = this.verified.get(fingerprint);
    if (cached) return cached;
    const key = await this.apiKeys.findActiveByMask(parsed.maskId);
    if (!key || !apiKeySecretMatches(parsed.secret, key.keyHash)) {
      throw new UnauthorizedException('Invalid API key');
    }
    const principal = { kind: 'project' as const, projectId: key.projectId, keyId: key.id, expiresAt: key.expiresAt };
    // An expiring key is trusted no longer than it lives.
    const ttl = key.expiresAt ? Math.min(AUTH_CACHE_TTL_MS, key.expiresAt.getTime() - Date.now()) : AUTH_CACHE_TTL_MS;
    if (ttl > 0) this.verified.set(fingerprint, principal, { ttl });
    return principal;
  }

  forgetKey(keyId: string): void {
    this.forgetWhere((principal) => principal.keyId === keyId);
  }

  forgetProject(projectId: string): void {
    this.forgetWhere((principal) => principal.projectId === projectId);
  }

  private forgetWhere(matches: (principal: Extract<Principal, { kind: 'project' }>) => boolean): void {
    for (const [fingerprint, principal] of this.verified.entries()) {
      if (matches(principal)) this.verified.delete(fingerprint);
    }
  }
}
