import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { apiKeySecretMatches, parseApiKey } from '@caravan/domain';
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

  /** The admin key's SHA-256, compared in constant time with the presented key's. */
  private readonly adminDigest: Buffer | undefined;

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    @Inject(ADMIN_API_KEY) private readonly adminKey: string | undefined,
  ) {
    this.adminDigest = adminKey ? createHash('sha256').update(adminKey).digest() : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    // Convoy's docs show both `Bearer <key>` and the bare key; accept either.
    const presented = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!presented) throw new UnauthorizedException('Authentication required');
    // One digest per request serves both the admin comparison and the cache key.
    const digest = createHash('sha256').update(presented).digest();
    if (this.isAdminKey(presented, digest)) return { kind: 'admin' };
    const parsed = parseApiKey(presented);
    if (!parsed) throw new UnauthorizedException('Authentication required');
    const fingerprint = digest.toString('base64');
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

  private isAdminKey(presented: string, digest: Buffer): boolean {
    if (!this.adminKey || !this.adminDigest) return false;
    return timingSafeEqual(digest, this.adminDigest) && presented.length === this.adminKey.length;
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
