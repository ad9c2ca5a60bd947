import { type ProjectConfig, toProjectUpdate, toSettingsForm, wholeNumber } from './project-settings';

const CONFIG: ProjectConfig = {
  strategy: { type: 'exponential', duration: 30, retry_count: 5 },
  signature: {
    header: 'X-Acme-Signature',
    versions: [
      { hash: 'SHA256', encoding: 'hex' },
      { hash: 'SHA512', encoding: 'base64' },
    ],
  },
  ratelimit: { count: 100, duration: 60 },
  ssl: { enforce_secure_endpoints: true },
  disable_endpoint: false,
  meta_event: {
    is_enabled: true,
    type: 'http',
    url: 'https://ops.example.com/meta',
    secret: '********',
    event_type: ['endpoint.created'],
  },
  retention_policy: '720h',
  is_retention_policy_enabled: true,
};

describe('project settings form <-> project config', () => {
  it('reads every edited setting from the config, never the masked meta-event secret', () => {
    expect(toSettingsForm('Shop', CONFIG)).toEqual({
      name: 'Shop',
      strategyType: 'exponential',
      strategyDuration: '30',
      retryCount: '5',
      signatureHeader: 'X-Acme-Signature',
      signatureVersions: [
        { hash: 'SHA256', encoding: 'hex' },
        { hash: 'SHA512', encoding: 'base64' },
      ],
      rateLimitCount: '100',
      rateLimitDuration: '60',
      disableEndpoint: false,
      enforceSecureEndpoints: true,
      metaEnabled: true,
      metaType: 'http',
      metaUrl: 'https://ops.example.com/meta',
      metaSecret: '',
      metaEventTypes: ['endpoint.created'],
      retentionEnabled: true,
      retentionPolicy: '720h',
    });
  });

  it('writes back the same config (the blank secret left out, so the api keeps it)', () => {
    const body = toProjectUpdate(toSettingsForm('Shop', CONFIG));
    const { secret: _masked, ...metaEvent } = CONFIG.meta_event;
    expect(body).toEqual({ name: 'Shop', config: { ...CONFIG, meta_event: metaEvent } });
  });

  it('sends a typed secret, leaves blank numbers and policy unset, and passes non-numbers on for the api to name', () => {
    const form = {
      ...toSettingsForm('Shop', CONFIG),
      metaSecret: 'new-secret',
      strategyDuration: '',
      retryCount: 'ten',
      rateLimitCount: ' 0 ',
      retentionPolicy: ' ',
      metaUrl: ' ',
      metaEventTypes: [],
    };
    const { config } = toProjectUpdate(form);
    expect(config.strategy).toEqual({ type: 'exponential', retry_count: 'ten' });
    expect(config.ratelimit).toEqual({ count: 0, duration: 60 });
    expect(config.meta_event).toEqual({ is_enabled: true, type: 'http', secret: 'new-secret', event_type: [] });
    expect(config).not.toHaveProperty('retention_policy');
  });

  it('reads whole numbers only', () => {
    expect([wholeNumber('12'), wholeNumber(''), wholeNumber('1.5'), wholeNumber('-3')]).toEqual([
      12,
      undefined,
      '1.5',
      -3,
    ]);
  });

  it("copes with Go clients' null event types", () => {
    expect(
      toSettingsForm('x', { ...CONFIG, meta_event: { ...CONFIG.meta_event, event_type: null } }).metaEventTypes,
    ).toEqual([]);
  });
});
