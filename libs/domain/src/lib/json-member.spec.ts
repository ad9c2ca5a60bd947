import { rawJsonMember } from './json-member';

const member = (json: string, name = 'data') =>
  rawJsonMember(Buffer.from(json, 'utf8'), name)?.toString('utf8') ?? null;

describe('rawJsonMember', () => {
  it('returns the exact bytes of an object member, formatting intact', () => {
    const data = '{\n    "amount" :  1000,\n    "b": [1, 2, {"c": "}"}]\n  }';
    expect(member(`{"event_type":"x","data": ${data},"z":1}`)).toBe(data);
  });

  it('keeps unicode and escapes byte for byte', () => {
    const data = '{"name":"Zoë \\u00e9 ☃ 😀","quote":"a\\"b\\\\"}';
    expect(member(`{ "data" : ${data} }`)).toBe(data);
    expect(rawJsonMember(Buffer.from(`{"data":${data}}`), 'data')?.equals(Buffer.from(data))).toBe(true);
  });

  it.each([['"a string"'], ['123.5e3'], ['true'], ['null'], ['[1,{"a":[2]},"]"]']])('handles a %s value', (value) => {
    expect(member(`{"data":${value},"event_type":"t"}`)).toBe(value);
    expect(member(`{"event_type":"t","data":${value}}`)).toBe(value);
  });

  it('is not fooled by the member name inside strings or nested objects', () => {
    expect(member('{"x":{"data":1},"y":"\\"data\\": 2","data":3}')).toBe('3');
  });

  it('takes the last of duplicate members, as JSON.parse does', () => {
    expect(member('{"data":1,"data":{"b":2}}')).toBe('{"b":2}');
    expect(member('{"data":1 ,\n "data" : [3] }')).toBe('[3]');
    expect(JSON.parse('{"data":1,"data":{"b":2}}').data).toEqual({ b: 2 });
  });

  it('returns null without the member or for a non-object document', () => {
    expect(member('{"event_type":"t"}')).toBeNull();
    expect(member('[{"data":1}]')).toBeNull();
    expect(member('{}')).toBeNull();
  });

  it('agrees with JSON.parse on every member of a varied document', () => {
    const doc = {
      data: { nested: [1, 2, { deep: 'x' }], unicode: 'ü', empty: {} },
      event_type: 'invoice.paid',
      custom_headers: { 'X-A': 'b' },
      n: -0.5,
    };
    const text = JSON.stringify(doc, null, 3);
    for (const key of Object.keys(doc)) {
      expect(JSON.parse(member(text, key) ?? 'undefined')).toEqual(doc[key as keyof typeof doc]);
    }
  });
});
