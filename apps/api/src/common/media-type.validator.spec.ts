import { isMediaType } from './media-type.validator';

describe('isMediaType', () => {
  it.each(['application/json', 'text/plain; charset=utf-8', 'application/vnd.api+json', 'text/html;charset="utf-8"'])(
    'accepts %s',
    (value) => expect(isMediaType(value)).toBe(true),
  );

  it.each(['', 'json', 'text/plain\r\nSet-Cookie: a=b', 'text/plain; charset=ü', 'a/b c', 'text/\u0000', 'x/y;'])(
    'refuses %j',
    (value) => expect(isMediaType(value)).toBe(false),
  );
});
