import { validateSync } from 'class-validator';
import { IsHeaderMap } from '../events/dto/custom-headers.validator';
import { IsSampleHeaders } from '../subscriptions/dto/sample-headers.validator';

class Sample {
  @IsSampleHeaders()
  headers: unknown;
}

class Custom {
  @IsHeaderMap()
  custom_headers: unknown;
}

function messages(target: Sample | Custom): string[] {
  return validateSync(target).flatMap((error) => Object.values(error.constraints ?? {}));
}

const sample = (headers: unknown) => Object.assign(new Sample(), { headers });
const custom = (custom_headers: unknown) => Object.assign(new Custom(), { custom_headers });

describe('header object validators (IsObjectOf)', () => {
  it('accepts sample headers of strings and string arrays, naming the first header that is neither', () => {
    expect(messages(sample({ a: 'x', b: ['y', 'z'] }))).toEqual([]);
    expect(messages(sample({ a: 'x', b: 1, c: [2] }))).toEqual([
      'headers must map every header name to a string or an array of strings (b does not)',
    ]);
  });

  it('refuses a sample that is not an object (null, an array, a string) with the general message', () => {
    for (const value of [null, ['a'], 'a']) {
      expect(messages(sample(value))).toEqual([
        'headers must be an object of header names to a string or an array of strings',
      ]);
    }
  });

  it('accepts custom headers of token names to single-line strings only', () => {
    expect(messages(custom({ 'X-Ok': 'v' }))).toEqual([]);
    const refused = ['custom_headers must be an object of header names to string values'];
    expect(messages(custom({ 'bad name': 'v' }))).toEqual(refused);
    expect(messages(custom({ 'X-Split': 'a\r\nb' }))).toEqual(refused);
    expect(messages(custom({ 'X-Many': ['a'] }))).toEqual(refused);
    expect(messages(custom([]))).toEqual(refused);
  });
});
