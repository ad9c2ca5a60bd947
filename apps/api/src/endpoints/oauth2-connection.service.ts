import { Inject, Injectable, Logger } from '@nestjs/common';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  OAuth2Config,
  OAuth2Token,
  OAuth2TokenError,
  oauth2TokenFromAnswer,
  oauth2TokenRequestBody,
  SsrfGuard,
  SsrfRefusedError,
} from '@caravan/domain';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import { API_SSRF_GUARD } from '../common/ssrf-guard.token';
import type { OAuth2Dto } from './dto/endpoint-authentication.dto';

/** A test answers within this, whatever the token server does. */
export const TOKEN_TEST_TIMEOUT_MS = 5_000;
/** Largest token answer read; a token response is a few hundred bytes. */
export const TOKEN_TEST_MAX_RESPONSE_BYTES = 64 * 1024;

class TokenRequestError extends Error {}

/**
 * Convoy's "test OAuth2 connection": one client-credentials token request, made as the
 * dispatcher makes it (same body, same reading of the answer), through the SSRF guard.
 */
@Injectable()
export class OAuth2ConnectionService {
  private readonly logger = new Logger('api');

  constructor(@Inject(API_SSRF_GUARD) private readonly guard: SsrfGuard) {}

  /** The token, or a 400 naming why none was obtained. Never echoes the client secret. */
  async test(projectId: string, oauth2: OAuth2Dto): Promise<OAuth2Token> {
    const config: OAuth2Config = {
      url: oauth2.url,
      client_id: oauth2.client_id,
      client_secret: oauth2.client_secret,
      grant_type: 'client_credentials',
      scope: oauth2.scope,
      audience: oauth2.audience,
      field_mapping: oauth2.field_mapping ?? undefined,
      expiry_time_unit: oauth2.expiry_time_unit,
    };
    const refusal = this.guard.refuseUrl(config.url);
    if (refusal) throw InvalidFieldsException.of('oauth2.url', this.guardWords(refusal));
    try {
      const { statusCode, body } = await this.post(config);
      return oauth2TokenFromAnswer(config, statusCode, body, Date.now());
    } catch (error) {
      const reason =
        error instanceof SsrfRefusedError
          ? this.guardWords(error.message)
          : error instanceof OAuth2TokenError || error instanceof TokenRequestError
            ? error.message
            : `could not reach the token endpoint: ${(error as Error).message}`;
      this.logger.log({ project_id: projectId, reason }, 'oauth2 connection test failed');
      throw InvalidFieldsException.of('oauth2', `OAuth2 connection test failed: ${reason}`);
    }
  }

  /** Every refusal names the guard and, through it, the setting that opens it. */
  private guardWords(refusal: string): string {
    return refusal.startsWith('SSRF guard') ? refusal : `SSRF guard: ${refusal}`;
  }

  private post(config: OAuth2Config): Promise<{ statusCode: number; body: string }> {
    const payload = Buffer.from(oauth2TokenRequestBody(config), 'utf8');
    const url = new URL(config.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'POST',
          // Names resolve through the guard, which refuses every address it would not dial.
          lookup: this.guard.lookup as never,
          agent: false,
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Accept: 'application/json',
            'Content-Length': payload.length,
          },
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > TOKEN_TEST_MAX_RESPONSE_BYTES) {
              request.destroy(
                new TokenRequestError(`the token endpoint answered more than ${TOKEN_TEST_MAX_RESPONSE_BYTES} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      const timer = setTimeout(
        () =>
          request.destroy(
            new TokenRequestError(`the token endpoint did not answer within ${TOKEN_TEST_TIMEOUT_MS / 1000} s`),
          ),
        TOKEN_TEST_TIMEOUT_MS,
      );
      request.on('error', reject);
      request.on('close', () => clearTimeout(timer));
      request.end(payload);
    });
  }
}
