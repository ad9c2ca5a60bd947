import { chooseRoute, messageType, parsePubSubMessage, PubSubMessageParse } from './pub-sub-message';

function parse(body: string, attributes: Record<string, string> = {}): PubSubMessageParse {
  return parsePubSubMessage(Buffer.from(body, 'utf8'), attributes);
}

function reason(result: PubSubMessageParse): string {
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

describe('parsePubSubMessage', () => {
  it('accepts a single message and keeps the exact bytes of data', () => {
    const body =
      '{"endpoint_id":"ep1","event_type":"invoice.paid","data": { "b" : 1,\n "a":"\\u00e9" },"idempotency_key":"k1"}';
    const result = parse(body);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.route).toEqual({ routing: 'direct', endpointId: 'ep1' });
    expect(result.message.data.toString()).toBe('{ "b" : 1,\n "a":"\\u00e9" }');
    expect(result.message.eventType).toBe('invoice.paid');
    expect(result.message.idempotencyKey).toBe('k1');
  });

  it('reads "" as "not set" for every optional string (Go clients send it for unset fields)', () => {
    const result = parse('{"endpoint_id":"","owner_id":"o1","event_type":"t","data":{},"idempotency_key":""}', {
      'x-convoy-message-type': 'fanout',
    });
    expect(result.ok && result.message.idempotencyKey).toBeNull();
    expect(result.ok && result.message.route).toEqual({ routing: 'fanout', ownerId: 'o1' });
  });

  it('routes by the x-convoy-message-type attribute, case-insensitively', () => {
    const fanout = parse('{"owner_id":"o1","event_type":"t","data":1}', { 'X-Convoy-Message-Type': 'FanOut' });
    expect(fanout.ok && fanout.message.route).toEqual({ routing: 'fanout', ownerId: 'o1' });
    const broadcast = parse('{"endpoint_id":"ignored","event_type":"t","data":[]}', {
      'x-convoy-message-type': 'broadcast',
    });
    expect(broadcast.ok && broadcast.message.route).toEqual({ routing: 'broadcast' });
  });

  it('reads the message type from custom_headers when no attribute names it', () => {
    const result = parse('{"event_type":"t","data":{},"custom_headers":{"x-convoy-message-type":"broadcast"}}');
    expect(result.ok && result.message.route).toEqual({ routing: 'broadcast' });
  });

  it('prefers the broker attribute over custom_headers', () => {
    const result = parse(
      '{"owner_id":"o","event_type":"t","data":{},"custom_headers":{"x-convoy-message-type":"broadcast"}}',
      {
        'x-convoy-message-type': 'fanout',
      },
    );
    expect(result.ok && result.message.route).toEqual({ routing: 'fanout', ownerId: 'o' });
  });

  it('forwards valid attributes as headers, custom_headers winning a clash', () => {
    const result = parse('{"endpoint_id":"e","event_type":"t","data":{},"custom_headers":{"X-Tenant":"custom"}}', {
      'x-tenant': 'attribute',
      'x-trace': 'abc',
      'bad name': 'dropped',
      'x-crlf': 'a\r\nb',
    });
    expect(result.ok && result.message.headers).toEqual({ 'X-Tenant': ['custom'], 'x-trace': ['abc'] });
  });

  it.each([
    ['not json', 'message is not valid JSON'],
    ['[1,2]', 'message must be a JSON object'],
    ['"text"', 'message must be a JSON object'],
    ['{"data":{}}', 'event_type is required'],
    ['{"event_type":"","data":{}}', 'event_type is required'],
    ['{"event_type":7,"data":{}}', 'event_type is required'],
    [`{"event_type":"${'x'.repeat(256)}","data":{}}`, 'event_type must be at most 255'],
    ['{"event_type":"t","endpoint_id":"e"}', 'data is required'],
    ['{"event_type":"t","endpoint_id":"e","data":null}', 'data is required'],
    ['{"event_type":"t","data":{}}', 'endpoint_id is required for a single'],
    ['{"event_type":"t","endpoint_id":5,"data":{}}', 'endpoint_id must be a string'],
    ['{"event_type":"t","endpoint_id":"e","data":{},"idempotency_key":7}', 'idempotency_key must be a string'],
    ['{"event_type":"t","endpoint_id":"","data":{}}', 'endpoint_id is required for a single'],
    ['{"event_type":"t","endpoint_id":"e","data":{},"custom_headers":{"a":1}}', 'custom_headers must be an object'],
    ['{"event_type":"t","endpoint_id":"e","data":{},"custom_headers":["a"]}', 'custom_headers must be an object'],
    [
      '{"event_type":"t","endpoint_id":"e","data":{},"custom_headers":{"bad name":"v"}}',
      'custom_headers must be an object',
    ],
  ])('rejects %s with a reason', (body, expected) => {
    expect(reason(parse(body))).toContain(expected);
  });

  it('rejects a fanout message without owner_id and an unknown message type', () => {
    expect(reason(parse('{"event_type":"t","data":{}}', { 'x-convoy-message-type': 'fanout' }))).toContain(
      'owner_id is required',
    );
    expect(reason(parse('{"event_type":"t","data":{}}', { 'x-convoy-message-type': 'multicast' }))).toContain(
      'must be single, fanout or broadcast',
    );
  });
});

describe('messageType and chooseRoute', () => {
  it('defaults to single', () => {
    expect(messageType({})).toBe('single');
    expect(messageType({ 'x-convoy-message-type': '  ' })).toBe('single');
  });

  it('chooses the route the type needs', () => {
    expect(chooseRoute('single', 'e', null)).toEqual({ routing: 'direct', endpointId: 'e' });
    expect(chooseRoute('fanout', 'e', 'o')).toEqual({ routing: 'fanout', ownerId: 'o' });
    expect(chooseRoute('broadcast', 'e', 'o')).toEqual({ routing: 'broadcast' });
    expect(chooseRoute('single', null, 'o')).toMatch(/endpoint_id is required/);
  });
});
