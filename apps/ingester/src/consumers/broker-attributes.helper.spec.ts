import { stringAttributes } from './broker-attributes.helper';

describe('stringAttributes', () => {
  it('renders Kafka buffers, AMQP scalars and arrays as strings, leaving out what has no string form', () => {
    expect(
      stringAttributes({
        'x-convoy-message-type': Buffer.from('fanout'),
        count: 3,
        flag: true,
        list: ['a', Buffer.from('b')],
        nested: { a: 1 },
        missing: undefined,
      }),
    ).toEqual({ 'x-convoy-message-type': 'fanout', count: '3', flag: 'true', list: 'b' });
    expect(stringAttributes(undefined)).toEqual({});
  });
});
