import { EMPTY_SOURCE_FORM, providerPreset, type SourceForm, toSourceBody, toSourceForm } from './source-form';

const form = (change: Partial<SourceForm>): SourceForm => ({ ...structuredClone(EMPTY_SOURCE_FORM), ...change });

describe('source form <-> source body', () => {
  it('sends only the chosen verifier of an http source', () => {
    expect(toSourceBody(form({ name: ' in ' }))).toEqual({ name: 'in', type: 'http', verifier: { type: 'noop' } });
    expect(
      toSourceBody(
        form({
          name: 'hooks',
          verifier: 'hmac',
          hmac: { header: ' X-Sig ', hash: 'SHA512', encoding: 'base64', secret: 's3' },
        }),
      ),
    ).toEqual({
      name: 'hooks',
      type: 'http',
      verifier: { type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: 's3' } },
    });
    expect(
      toSourceBody(form({ name: 'b', verifier: 'basic_auth', basicAuth: { username: 'u', password: 'p' } })).verifier,
    ).toEqual({ type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } });
    expect(
      toSourceBody(form({ name: 'k', verifier: 'api_key', apiKey: { header_name: 'X-Key', header_value: 'v' } }))
        .verifier,
    ).toEqual({ type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'v' } });
  });

  it("a provider preset sends the provider and only the secret; its rule is the api's", () => {
    const body = toSourceBody(
      form({
        name: 'gh',
        provider: 'github' as SourceForm['provider'],
        hmac: { ...EMPTY_SOURCE_FORM.hmac, secret: 'gh-secret' },
      }),
    );
    expect(body).toEqual({
      name: 'gh',
      type: 'http',
      provider: 'github',
      verifier: { type: 'hmac', hmac: { secret: 'gh-secret' } },
    });
    expect(providerPreset('github' as never)).toMatchObject({ header: 'X-Hub-Signature-256', encoding: 'hex' });
  });

  it("sends each broker's settings under its own name, unset fields left out", () => {
    const sqs = toSourceBody(
      form({
        name: 'q',
        type: 'pub_sub',
        broker: 'sqs',
        workers: '3',
        sqs: { access_key_id: 'a', secret_key: 'b', default_region: 'eu-west-1', queue_name: 'orders', endpoint: ' ' },
      }),
    );
    expect(sqs).toEqual({
      name: 'q',
      type: 'pub_sub',
      pub_sub: {
        type: 'sqs',
        workers: 3,
        sqs: { access_key_id: 'a', secret_key: 'b', default_region: 'eu-west-1', queue_name: 'orders' },
      },
    });
    const kafka = toSourceBody(
      form({
        type: 'pub_sub',
        broker: 'kafka',
        kafka: {
          ...EMPTY_SOURCE_FORM.kafka,
          brokers: 'k1:9092, k2:9092,',
          topic_name: 't',
          authType: 'scram',
          username: 'u',
          password: 'p',
          hash: 'SHA512',
        },
      }),
    );
    expect(kafka.pub_sub).toEqual({
      type: 'kafka',
      workers: 1,
      kafka: {
        brokers: ['k1:9092', 'k2:9092'],
        topic_name: 't',
        auth: { type: 'scram', hash: 'SHA512', tls: false, username: 'u', password: 'p' },
      },
    });
    const amqp = toSourceBody(
      form({
        type: 'pub_sub',
        broker: 'amqp',
        amqp: {
          ...EMPTY_SOURCE_FORM.amqp,
          host: 'mq',
          queue: 'in',
          user: 'guest',
          password: 'guest',
          exchange: 'ex',
          routingKey: 'rk',
        },
      }),
    );
    expect(amqp.pub_sub).toEqual({
      type: 'amqp',
      workers: 1,
      amqp: {
        schema: 'amqp',
        host: 'mq',
        port: '5672',
        queue: 'in',
        auth: { user: 'guest', password: 'guest' },
        bindExchange: { exchange: 'ex', routingKey: 'rk' },
      },
    });
    const google = toSourceBody(
      form({
        type: 'pub_sub',
        broker: 'google',
        google: { project_id: 'p', subscription_id: 's', service_account: '{"type":"service_account"}', endpoint: '' },
      }),
    );
    expect(google.pub_sub).toMatchObject({
      google: { project_id: 'p', subscription_id: 's', service_account: { type: 'service_account' } },
    });
    expect(
      toSourceBody(
        form({ type: 'pub_sub', broker: 'google', google: { ...EMPTY_SOURCE_FORM.google, service_account: ' eyJ9 ' } }),
      ).pub_sub,
    ).toMatchObject({
      google: { service_account: 'eyJ9' },
    });
    expect(toSourceBody(form({ type: 'pub_sub', workers: 'many' })).pub_sub).toMatchObject({ workers: 'many' });
  });

  it("reads an existing source back into the form (the api's response shapes)", () => {
    const kafka = toSourceForm({
      name: 'k',
      type: 'pub_sub',
      provider: '',
      verifier: null,
      pub_sub: {
        type: 'kafka',
        workers: 2,
        kafka: { brokers: ['a:1', 'b:2'], topic_name: 't', consumer_group_id: '', auth: null },
      },
    });
    expect(kafka).toMatchObject({
      type: 'pub_sub',
      broker: 'kafka',
      workers: '2',
      kafka: { brokers: 'a:1, b:2', topic_name: 't', authType: '' },
    });
    const amqp = toSourceForm({
      name: 'a',
      type: 'pub_sub',
      provider: '',
      verifier: null,
      pub_sub: {
        type: 'amqp',
        workers: 1,
        amqp: {
          schema: 'amqps',
          host: 'h',
          port: '5671',
          queue: 'q',
          vhost: '',
          auth: { user: 'u', password: 'p' },
          bindedExchange: 'ex',
          routingKey: 'rk',
          deadLetterExchange: '',
        },
      },
    });
    expect(toSourceBody(amqp).pub_sub).toEqual({
      type: 'amqp',
      workers: 1,
      amqp: {
        schema: 'amqps',
        host: 'h',
        port: '5671',
        queue: 'q',
        auth: { user: 'u', password: 'p' },
        bindExchange: { exchange: 'ex', routingKey: 'rk' },
      },
    });
    const github = toSourceForm({
      name: 'gh',
      type: 'http',
      provider: 'github',
      verifier: { type: 'hmac', hmac: { header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex', secret: 'x' } },
    });
    expect(toSourceBody(github)).toEqual({
      name: 'gh',
      type: 'http',
      provider: 'github',
      verifier: { type: 'hmac', hmac: { secret: 'x' } },
    });
  });
});
