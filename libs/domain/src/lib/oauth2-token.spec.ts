import type { OAuth2Config } from './endpoints';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  OAuth2TokenError,
  oauth2TokenFromAnswer,
  oauth2TokenRequestBody,
  parseOAuth2TokenResponse,
  TOKEN_EXPIRY_MARGIN_MS,
} from './oauth2-token';

const config: OAuth2Config = {
  url: 'https://auth.example.com/token',
  client_id: 'id 1',
  client_secret: 's&cret',
  grant_type: 'client_credentials',
};

describe('oauth2 client credentials', () => {
  it('asks for a client_credentials token with the scope and audience when set', () => {
    expect(new URLSearchParams(oauth2TokenRequestBody(config)).toString()).toBe(
      'grant_type=client_credentials&client_id=id+1&client_secret=s%26cret',
    );
    const body = new URLSearchParams(oauth2TokenRequestBody({ ...config, scope: 'a b', audience: 'api' }));
    expect(body.get('scope')).toBe('a b');
    expect(body.get('audience')).toBe('api');
  });

  it('reads the standard fields, keeping a margin before expiry', () => {
    const token = parseOAuth2TokenResponse(
      config,
      '{"access_token":"t1","token_type":"bearer","expires_in":3600}',
      1_000,
    );
    expect(token).toEqual({ type: 'Bearer', value: 't1', expiresAt: 1_000 + 3_600_000 - TOKEN_EXPIRY_MARGIN_MS });
  });

  it('reads mapped fields in the configured unit', () => {
    const token = parseOAuth2TokenResponse(
      { ...config, field_mapping: { access_token: 'accessToken', expires_in: 'ttl' }, expiry_time_unit: 'minutes' },
      '{"accessToken":"t2","ttl":10}',
      0,
    );
    expect(token).toEqual({ type: 'Bearer', value: 't2', expiresAt: 600_000 - TOKEN_EXPIRY_MARGIN_MS });
  });

  it('assumes a default lifetime when none is given', () => {
    expect(parseOAuth2TokenResponse(config, '{"access_token":"t3"}', 0).expiresAt).toBe(
      DEFAULT_TOKEN_LIFETIME_MS - TOKEN_EXPIRY_MARGIN_MS,
    );
  });

  it.each(['not json', '{}', '{"access_token":""}', '[]'])('refuses %s', (body) => {
    expect(() => parseOAuth2TokenResponse(config, body, 0)).toThrow(OAuth2TokenError);
  });
});

describe('oauth2TokenFromAnswer', () => {
  it('reads a 2xx answer', () => {
    expect(oauth2TokenFromAnswer(config, 200, '{"access_token":"t"}', 0).value).toBe('t');
  });

  it("refuses another status, quoting the server's RFC 6749 error", () => {
    expect(() =>
      oauth2TokenFromAnswer(config, 401, '{"error":"invalid_client","error_description":"bad secret"}', 0),
    ).toThrow(new OAuth2TokenError('the token endpoint answered 401 (invalid_client: bad secret)'));
  });

  it('refuses a non-JSON error answer with its status alone', () => {
    expect(() => oauth2TokenFromAnswer(config, 500, '<html>oops</html>', 0)).toThrow(
      new OAuth2TokenError('the token endpoint answered 500'),
    );
  });
});
