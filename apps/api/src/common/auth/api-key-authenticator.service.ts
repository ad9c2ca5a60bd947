import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { apiKeySecretMatches, constantTimeEquals, parseApiKey } from '@caravan/domain';
import { ApiKeysRepository } from '@caravan/persistence';
import type { Principal } from './principal';

export const ADMIN_API_KEY = Symbol('ADMIN_API_KEY');

/** Turns an Authorization header into a Principal, or refuses with 401. */
@Injectable()
export class ApiKeyAuthenticator {
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
    const key = await this.apiKeys.findActiveByMask(parsed.maskId);
    if (!key || !apiKeySecretMatches(parsed.secret, key.keyHash)) {
      throw new UnauthorizedException('Invalid API key');
    }
    return { kind: 'project', projectId: key.projectId, keyId: key.id };
  }
}
