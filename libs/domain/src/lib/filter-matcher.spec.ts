import {
  deepEqual,
  type FilterExpression,
  flattenFilter,
  MAX_FILTER_DEPTH,
  MAX_REGEX_LENGTH,
  MAX_REGEX_SUBJECT_LENGTH,
  MAX_WILDCARD_CANDIDATES,
  matchesEventType,
  matchesFilter,
  matchesHeaderFilter,
  matchesSubscription,
  normaliseHeaders,
  validateFilter,
  validateFilterConfig,
  validateFilterExpression,
} from './filter-matcher';
import type { FilterConfig } from './filters';

type Row = [string, FilterExpression, unknown, boolean];

/** Runs a table: the title, the filter, the payload, whether it matches. */
function table(rows: Row[]): void {
  it.each(rows)('%s', (_name, filter, payload, expected) => {
    expect(matchesFilter(filter, payload)).toBe(expected);
  });
}

const order = {
  event: 'order.created',
  amount: 1500,
  currency: 'NGN',
  paid: true,
  note: null,
  created_at: '2024-06-01T12:00:00Z',
  tags: ['priority', 'gift'],
  scores: [3, 8, 12],
  customer: {
    id: 5,
    email: 'ada@example.com',
    address: { city: 'Lagos', zip: '100001' },
  },
  items: [
    {
      sku: 'A',
      qty: 1,
      price: 500,
      options: [{ name: 'color', value: 'red' }],
    },
    { sku: 'B', qty: 3, price: 1000, options: [{ name: 'size', value: 'L' }] },
  ],
};

describe('filter matcher', () => {
  describe('matchesEventType', () => {
    it.each<[string, string[] | null | undefined, string, boolean]>([
      ['catch-all', ['*'], 'order.created', true],
      ['catch-all among others', ['invoice.paid', '*'], 'order.created', true],
      ['exact', ['order.created'], 'order.created', true],
      ['one of several', ['invoice.paid', 'order.created'], 'order.created', true],
      ['different type', ['order.updated'], 'order.created', false],
      ['case-sensitive', ['Order.Created'], 'order.created', false],
      ['no prefix matching', ['order'], 'order.created', false],
      ['no glob semantics', ['order.*'], 'order.created', false],
      ['empty list = catch-all', [], 'order.created', true],
      ['absent = catch-all', undefined, 'order.created', true],
      ['null = catch-all', null, 'order.created', true],
    ])('%s', (_name, types, type, expected) => {
      expect(matchesEventType(types, type)).toBe(expected);
    });
  });

  describe('empty filters', () => {
    it.each([{}, null, undefined])('%p matches everything', (filter) => {
      for (const payload of [order, {}, [], 'x', 0, null]) expect(matchesFilter(filter, payload)).toBe(true);
      expect(matchesHeaderFilter(filter, { 'X-A': ['b'] })).toBe(true);
      expect(matchesHeaderFilter(filter, undefined)).toBe(true);
    });

    it.each([[[]], ['x'], [5], [true]])('a non-object filter %p is invalid and matches nothing', (filter) => {
      expect(matchesFilter(filter, order)).toBe(false);
    });
  });

  describe('implicit equality and $eq', () => {
    table([
      ['string', { event: 'order.created' }, order, true],
      ['string mismatch', { event: 'order.updated' }, order, false],
      ['number', { amount: 1500 }, order, true],
      ['number mismatch', { amount: 1501 }, order, false],
      ['number never equals its string', { amount: '1500' }, order, false],
      ['string never equals a number', { 'customer.address.zip': 100001 }, order, false],
      ['boolean', { paid: true }, order, true],
      ['boolean vs truthy', { paid: 1 }, order, false],
      ['null equals a present null', { note: null }, order, true],
      ['null does not equal a missing field', { missing: null }, order, false],
      ['missing field never equals', { missing: 'x' }, order, false],
      ['several keys are ANDed (all hold)', { event: 'order.created', currency: 'NGN' }, order, true],
      ['several keys are ANDed (one fails)', { event: 'order.created', currency: 'USD' }, order, false],
      ['array contains (Convoy "array contains match")', { tags: 'gift' }, order, true],
      ['array does not contain', { tags: 'sale' }, order, false],
      ['array deep equality', { tags: ['priority', 'gift'] }, order, true],
      ['array order matters', { tags: ['gift', 'priority'] }, order, false],
      ['array subset is not equality', { tags: ['gift'] }, order, false],
      ['object deep equality through $eq', { customer: { $eq: order.customer } }, order, true],
      [
        'object deep equality ignores key order',
        { 'customer.address': { $eq: { zip: '100001', city: 'Lagos' } } },
        order,
        true,
      ],
      ['object deep equality is exact', { 'customer.address': { $eq: { city: 'Lagos' } } }, order, false],
      ['empty object literal equals an empty object', { meta: {} }, { meta: {} }, true],
      ['empty object literal does not equal a non-empty one', { meta: {} }, { meta: { a: 1 } }, false],
      ['$eq scalar', { amount: { $eq: 1500 } }, order, true],
      ['$eq mismatch', { amount: { $eq: 1 } }, order, false],
      ['$eq contains for arrays', { tags: { $eq: 'priority' } }, order, true],
      ['$eq array deep', { scores: { $eq: [3, 8, 12] } }, order, true],
      ['$eq array deep mismatch', { scores: { $eq: [3, 8] } }, order, false],
      ['$eq nested arrays', { m: { $eq: [1, [2, 3]] } }, { m: [1, [2, 3]] }, true],
      ['$eq nested arrays mismatch', { m: { $eq: [1, [2, 4]] } }, { m: [1, [2, 3]] }, false],
      ['$eq operator-looking literal', { m: { $eq: { $gt: 1 } } }, { m: { $gt: 1 } }, true],
      ['$eq null', { note: { $eq: null } }, order, true],
    ]);
  });

  describe('$neq', () => {
    table([
      ['different value', { event: { $neq: 'order.updated' } }, order, true],
      ['same value', { event: { $neq: 'order.created' } }, order, false],
      ['type differs → not equal', { amount: { $neq: '1500' } }, order, true],
      ['missing field is not equal', { missing: { $neq: 'x' } }, order, true],
      ['array containing the value', { tags: { $neq: 'gift' } }, order, false],
      ['array not containing the value', { tags: { $neq: 'sale' } }, order, true],
      ['array deep-equal', { tags: { $neq: ['priority', 'gift'] } }, order, false],
      ['null vs present null', { note: { $neq: null } }, order, false],
    ]);
  });

  describe('$gt $gte $lt $lte', () => {
    table([
      ['$gt true', { amount: { $gt: 1000 } }, order, true],
      ['$gt boundary', { amount: { $gt: 1500 } }, order, false],
      ['$gte boundary', { amount: { $gte: 1500 } }, order, true],
      ['$gte false', { amount: { $gte: 1501 } }, order, false],
      ['$lt true', { amount: { $lt: 2000 } }, order, true],
      ['$lt boundary', { amount: { $lt: 1500 } }, order, false],
      ['$lte boundary', { amount: { $lte: 1500 } }, order, true],
      ['$lte false', { amount: { $lte: 1499 } }, order, false],
      ['negative and fractional numbers', { t: { $gt: -1.5, $lt: -1.25 } }, { t: -1.3 }, true],
      ['range (both operators must hold)', { amount: { $gt: 1000, $lt: 1200 } }, order, false],
      ['range holds', { amount: { $gt: 1000, $lt: 2000 } }, order, true],
      ['string vs number never matches $gt', { amount: { $gt: '1000' } }, order, false],
      ['number vs string never matches $lt', { 'customer.address.zip': { $lt: 999999 } }, order, false],
      ['numeric string is not coerced', { n: { $gte: 5 } }, { n: '10' }, false],
      ['strings compare lexicographically (ISO dates)', { created_at: { $gte: '2024-01-01' } }, order, true],
      ['strings compare lexicographically, false', { created_at: { $lt: '2024-01-01' } }, order, false],
      ['boolean never compares', { paid: { $gt: 0 } }, order, false],
      ['null never compares', { note: { $lt: 1 } }, order, false],
      ['missing never compares', { missing: { $gt: 0 } }, order, false],
      ['object never compares', { customer: { $gt: 0 } }, order, false],
      ['array: any element', { scores: { $gt: 10 } }, order, true],
      ['array: no element', { scores: { $gt: 12 } }, order, false],
      ['array: $lte any element', { scores: { $lte: 3 } }, order, true],
    ]);
  });

  describe('$in and $nin', () => {
    table([
      ['$in hit', { currency: { $in: ['USD', 'NGN'] } }, order, true],
      ['$in miss', { currency: { $in: ['USD', 'EUR'] } }, order, false],
      ['$in empty list', { currency: { $in: [] } }, order, false],
      ['$in strict types', { amount: { $in: ['1500'] } }, order, false],
      ['$in numbers', { amount: { $in: [1, 1500] } }, order, true],
      ['$in missing field', { missing: { $in: ['x'] } }, order, false],
      ['$in array field: any element', { tags: { $in: ['sale', 'gift'] } }, order, true],
      ['$in array field: no element', { tags: { $in: ['sale'] } }, order, false],
      ['$in objects deep', { 'customer.address': { $in: [{ city: 'Lagos', zip: '100001' }] } }, order, true],
      ['$in null', { note: { $in: [null] } }, order, true],
      ['$nin miss → match', { currency: { $nin: ['USD', 'EUR'] } }, order, true],
      ['$nin hit → no match', { currency: { $nin: ['USD', 'NGN'] } }, order, false],
      ['$nin empty list', { currency: { $nin: [] } }, order, true],
      ['$nin missing field matches', { missing: { $nin: ['x'] } }, order, true],
      ['$nin array field with one listed element', { tags: { $nin: ['gift'] } }, order, false],
      ['$nin array field with none listed', { tags: { $nin: ['sale'] } }, order, true],
      ['$in with a non-array operand is invalid', { currency: { $in: 'NGN' } }, order, false],
      ['$nin with a non-array operand is invalid (not a vacuous match)', { currency: { $nin: 'USD' } }, order, false],
    ]);
  });

  describe('$exist', () => {
    table([
      ['present → true', { currency: { $exist: true } }, order, true],
      ['present → false', { currency: { $exist: false } }, order, false],
      ['missing → true', { missing: { $exist: true } }, order, false],
      ['missing → false', { missing: { $exist: false } }, order, true],
      ['present null counts as present', { note: { $exist: true } }, order, true],
      ['nested present', { 'customer.address.city': { $exist: true } }, order, true],
      ['nested missing', { 'customer.address.state': { $exist: false } }, order, true],
      ['parent missing', { 'nobody.address.city': { $exist: false } }, order, true],
      ['path through a scalar is missing', { 'amount.value': { $exist: false } }, order, true],
      ['empty string is present', { s: { $exist: true } }, { s: '' }, true],
      ['non-boolean operand is invalid', { currency: { $exist: 'yes' } }, order, false],
      ['wildcard: some element has it', { 'items.$.sku': { $exist: true } }, order, true],
      ['wildcard: no element has it', { 'items.$.discount': { $exist: false } }, order, true],
      ['wildcard: no element has it (true)', { 'items.$.discount': { $exist: true } }, order, false],
    ]);
  });

  describe('$regex', () => {
    table([
      ['anchored match', { event: { $regex: '^order\\.' } }, order, true],
      ['no match', { event: { $regex: '^invoice\\.' } }, order, false],
      ['unanchored finds a substring', { 'customer.email': { $regex: '@example\\.com' } }, order, true],
      ['case-sensitive by default', { event: { $regex: '^ORDER' } }, order, false],
      ['Go inline flag (?i)', { event: { $regex: '(?i)^ORDER' } }, order, true],
      ['Go inline flags (?is)', { s: { $regex: '(?is)^a.b$' } }, { s: 'A\nB' }, true],
      ['numbers are not strings', { amount: { $regex: '^15' } }, order, false],
      ['null is not a string', { note: { $regex: '.*' } }, order, false],
      ['missing field', { missing: { $regex: '.*' } }, order, false],
      ['array: any string element', { tags: { $regex: '^gi' } }, order, true],
      ['array: no string element', { tags: { $regex: '^x' } }, order, false],
      ['unicode', { name: { $regex: '^Zoë 🚀' } }, { name: 'Zoë 🚀 ok' }, true],
      ['invalid pattern never matches', { event: { $regex: '(' } }, order, false],
      ['backreference is refused', { s: { $regex: '(a)\\1' } }, { s: 'aa' }, false],
      ['lookahead is refused', { s: { $regex: 'a(?=b)' } }, { s: 'ab' }, false],
      ['nested quantifier matches (RE2 cannot backtrack)', { s: { $regex: '^(a+)+$' } }, { s: 'aaaa' }, true],
      ['non-string operand is invalid', { s: { $regex: 5 } }, { s: '5' }, false],
      [
        'a string over the subject cap never matches',
        { s: { $regex: '^a' } },
        { s: 'a'.repeat(MAX_REGEX_SUBJECT_LENGTH + 1) },
        false,
      ],
      [
        'a string at the subject cap matches',
        { s: { $regex: '^a' } },
        { s: 'a'.repeat(MAX_REGEX_SUBJECT_LENGTH) },
        true,
      ],
      [
        'a pattern over the length cap is refused',
        { s: { $regex: 'a'.repeat(MAX_REGEX_LENGTH + 1) } },
        { s: 'a'.repeat(600) },
        false,
      ],
      [
        'a pattern at the length cap is fine',
        { s: { $regex: 'a'.repeat(MAX_REGEX_LENGTH) } },
        { s: 'a'.repeat(600) },
        true,
      ],
    ]);

    it.each(['.*.*.*=', '^(a|aa)+$', '^(\\w+\\s?)*$', '(.*a){20}=', '^(a+)+$'])(
      'matches %s against the longest subject in linear time (no backtracking)',
      (pattern) => {
        const subject = 'a'.repeat(MAX_REGEX_SUBJECT_LENGTH - 1) + '!';
        const started = Date.now();
        expect(matchesFilter({ s: { $regex: pattern } }, { s: subject })).toBe(false);
        // A backtracking engine takes minutes on these (n^3 and worse); RE2 takes milliseconds.
        expect(Date.now() - started).toBeLessThan(1000);
      },
    );

    it('is not stateful across calls (no g flag)', () => {
      const filter = { s: { $regex: 'a' } };
      expect([1, 2, 3].map(() => matchesFilter(filter, { s: 'a' }))).toEqual([true, true, true]);
    });
  });

  describe('$or and $and', () => {
    table([
      ['$or: first holds', { $or: [{ currency: 'NGN' }, { amount: 1 }] }, order, true],
      ['$or: second holds', { $or: [{ currency: 'USD' }, { amount: 1500 }] }, order, true],
      ['$or: none holds', { $or: [{ currency: 'USD' }, { amount: 1 }] }, order, false],
      ['$and: all hold', { $and: [{ currency: 'NGN' }, { amount: { $gte: 1000 } }] }, order, true],
      ['$and: one fails', { $and: [{ currency: 'NGN' }, { amount: { $gte: 2000 } }] }, order, false],
      [
        'nested $or inside $and (Convoy docs example) holds',
        {
          $and: [{ age: { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }],
        },
        { age: 12, type: 'daily', cities: ['london', 'lagos'] },
        true,
      ],
      [
        'nested $or inside $and fails on the $or',
        {
          $and: [{ age: { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }],
        },
        { age: 12, type: 'daily', cities: ['london'] },
        false,
      ],
      [
        'nested $or inside $and fails on the $gte',
        {
          $and: [{ age: { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }],
        },
        { age: 9, type: 'weekly' },
        false,
      ],
      ['$or ANDed with sibling keys', { currency: 'USD', $or: [{ amount: 1500 }] }, order, false],
      ['$or scoped under a field', { customer: { $or: [{ id: 6 }, { email: 'ada@example.com' }] } }, order, true],
      ['$or scoped under a field, none', { customer: { $or: [{ id: 6 }, { email: 'x' }] } }, order, false],
      ['$or of operators on one field', { amount: { $or: [{ $lt: 100 }, { $gt: 1000 }] } }, order, true],
      ['$or of operators on one field, none', { amount: { $or: [{ $lt: 100 }, { $gt: 2000 }] } }, order, false],
      ['$and inside $or inside $and', { $and: [{ $or: [{ $and: [{ paid: true }, { amount: 1500 }] }] }] }, order, true],
      ['empty $or is invalid', { $or: [] }, order, false],
      ['$or with a non-array is invalid', { $or: { currency: 'NGN' } }, order, false],
      ['$and with a non-object element is invalid', { $and: ['x'] }, order, false],
    ]);
  });

  describe('dot-paths and nested objects', () => {
    const pairs: Array<[string, FilterExpression, FilterExpression, unknown, boolean]> = [
      ['one level', { 'customer.id': 5 }, { customer: { id: 5 } }, order, true],
      ['two levels', { 'customer.address.city': 'Lagos' }, { customer: { address: { city: 'Lagos' } } }, order, true],
      [
        'brief example',
        { 'data.customer.id': 5 },
        { data: { customer: { id: 5 } } },
        { data: { customer: { id: 5 } } },
        true,
      ],
      ['mismatch', { 'customer.address.city': 'Abuja' }, { customer: { address: { city: 'Abuja' } } }, order, false],
      ['with operators', { 'customer.id': { $gt: 4 } }, { customer: { id: { $gt: 4 } } }, order, true],
      [
        'several nested keys are ANDed',
        { 'customer.id': 5, 'customer.address.zip': '100001' },
        { customer: { id: 5, address: { zip: '100001' } } },
        order,
        true,
      ],
      [
        'several nested keys, one fails',
        { 'customer.id': 5, 'customer.address.zip': 'x' },
        { customer: { id: 5, address: { zip: 'x' } } },
        order,
        false,
      ],
      [
        'mixed forms',
        { 'customer.address': { city: 'Lagos' } },
        { customer: { address: { city: 'Lagos' } } },
        order,
        true,
      ],
      ['missing parent', { 'vendor.id': 5 }, { vendor: { id: 5 } }, order, false],
    ];

    it.each(pairs)('%s: dot-path and nested object agree', (_name, dotted, nested, payload, expected) => {
      expect(matchesFilter(dotted, payload)).toBe(expected);
      expect(matchesFilter(nested, payload)).toBe(expected);
    });

    table([
      ['nested object means paths, not object equality', { customer: { id: 5 } }, order, true],
      ['numeric segment indexes an array', { 'items.1.sku': 'B' }, order, true],
      ['numeric segment out of range', { 'items.5.sku': 'B' }, order, false],
      ['numeric segment on an object key', { 'map.0': 'x' }, { map: { '0': 'x' } }, true],
      ['no implicit array traversal without $', { 'items.sku': 'A' }, order, false],
      ['path through null', { 'note.x': 1 }, order, false],
      ['inherited properties are not fields', { 'customer.toString': { $exist: true } }, order, false],
      ['__proto__ is not traversed', { '__proto__.polluted': { $exist: true } }, JSON.parse('{"a":1}'), false],
      ['empty path segment is invalid', { 'customer..id': 5 }, order, false],
    ]);
  });

  describe('array wildcard $.', () => {
    table([
      ['any element matches', { 'items.$.sku': 'A' }, order, true],
      ['second element matches', { 'items.$.sku': 'B' }, order, true],
      ['no element matches', { 'items.$.sku': 'C' }, order, false],
      ['operators apply per element', { 'items.$.qty': { $gt: 2 } }, order, true],
      ['operators: none', { 'items.$.qty': { $gt: 3 } }, order, false],
      ['$in per element', { 'items.$.sku': { $in: ['X', 'B'] } }, order, true],
      ['$regex per element', { 'items.$.sku': { $regex: '^[AB]$' } }, order, true],
      ['nested wildcards', { 'items.$.options.$.value': 'L' }, order, true],
      ['nested wildcards, no match', { 'items.$.options.$.value': 'XL' }, order, false],
      ['root-level array ($.)', { '$.name': 'lagos' }, [{ name: 'abuja' }, { name: 'lagos' }], true],
      ['root-level array, no match', { '$.name': 'kano' }, [{ name: 'abuja' }, { name: 'lagos' }], false],
      [
        'root-level nested',
        { '$.venues.$.name': 'b' },
        [{ venues: [{ name: 'a' }] }, { venues: [{ name: 'b' }] }],
        true,
      ],
      ['wildcard over scalars', { 'tags.$': 'gift' }, order, true],
      ['wildcard is existential for $neq (some tag is not gift)', { 'tags.$': { $neq: 'gift' } }, order, true],
      ['whereas plain $neq on the array means no tag is gift', { tags: { $neq: 'gift' } }, order, false],
      ['wildcard: an operator range must hold on one element', { 'scores.$': { $gt: 4, $lt: 8 } }, order, false],
      ['wildcard: an operator range on one element', { 'scores.$': { $gt: 4, $lt: 9 } }, order, true],
      ['no wildcard: a range may be met by different elements', { scores: { $gt: 4, $lt: 8 } }, order, true],
      ['$exist false through a missing parent', { 'nothing.$.x': { $exist: false } }, order, true],
      [
        '$exist false on an element lacking the key',
        { 'items.$.discount': { $exist: false } },
        { items: [{ discount: 1 }, {}] },
        true,
      ],
      [
        '$exist false when every element has the key',
        { 'items.$.discount': { $exist: false } },
        { items: [{ discount: 1 }] },
        false,
      ],
      ['wildcard on a non-array is missing', { 'customer.$.id': 5 }, order, false],
      ['wildcard on an empty array', { 'items.$.sku': 'A' }, { items: [] }, false],
      ['independent keys may be met by different elements', { 'items.$.sku': 'A', 'items.$.qty': 3 }, order, true],
      ['nesting under the wildcard requires the same element', { 'items.$': { sku: 'A', qty: 3 } }, order, false],
      ['nesting under the wildcard, same element', { 'items.$': { sku: 'B', qty: 3 } }, order, true],
      ['wildcard inside a nested object', { items: { '$.sku': 'B' } }, order, true],
      ['wildcard inside $or', { $or: [{ 'items.$.sku': 'Z' }, { 'items.$.price': { $gte: 1000 } }] }, order, true],
      ['wildcard inside $and', { $and: [{ 'items.$.sku': 'Z' }, { 'items.$.price': { $gte: 1000 } }] }, order, false],
      ['three wildcards are allowed', { 'a.$.b.$.c.$': 1 }, { a: [{ b: [{ c: [0, 1] }] }] }, true],
      [
        'four wildcards are refused (Convoy limit)',
        { 'a.$.b.$.c.$.d.$': 1 },
        { a: [{ b: [{ c: [{ d: [1] }] }] }] },
        false,
      ],
      [
        'wildcards counted across nesting',
        { 'a.$.b.$': { 'c.$.d.$': 1 } },
        { a: [{ b: [{ c: [{ d: [1] }] }] }] },
        false,
      ],
    ]);

    it('gives up (no match) once a match visits more array elements than the cap', () => {
      const wide = (hit: boolean): unknown => ({
        a: Array.from({ length: 400 }, (_, i) => ({
          b: Array.from({ length: 400 }, (_, j) => ({
            c: hit && i === 399 && j === 399 ? 1 : 0,
          })),
        })),
      });
      expect(400 * 400).toBeGreaterThan(MAX_WILDCARD_CANDIDATES);
      // the only hit is the last element: reaching it would cost 160,400 visits
      expect(matchesFilter({ 'a.$.b.$.c': 1 }, wide(true))).toBe(false);
      // a hit found early is found (the cap bounds work, it does not truncate arrays)
      expect(matchesFilter({ 'a.$.b.$.c': 0 }, wide(true))).toBe(true);
      expect(matchesFilter({ 'a.$.b.$.c': 1 }, { a: [{ b: [{ c: 0 }, { c: 1 }] }] })).toBe(true);
    });

    it('each match call has its own budget', () => {
      const big = {
        a: Array.from({ length: MAX_WILDCARD_CANDIDATES - 1 }, (_, i) => i),
      };
      for (let i = 0; i < 3; i++) expect(matchesFilter({ 'a.$': MAX_WILDCARD_CANDIDATES - 2 }, big)).toBe(true);
    });
  });

  describe('limits and garbage', () => {
    const nest = (levels: number): FilterExpression => {
      let filter: FilterExpression = { leaf: 1 };
      for (let i = 0; i < levels; i++) filter = { n: filter };
      return filter;
    };
    const payloadFor = (levels: number): unknown => {
      let payload: unknown = { leaf: 1 };
      for (let i = 0; i < levels; i++) payload = { n: payload };
      return payload;
    };

    it('accepts nesting up to the depth cap', () => {
      expect(matchesFilter(nest(MAX_FILTER_DEPTH - 1), payloadFor(MAX_FILTER_DEPTH - 1))).toBe(true);
      expect(validateFilterExpression(nest(MAX_FILTER_DEPTH - 1), 'filter.body')).toEqual([]);
    });

    it('refuses nesting beyond the depth cap (no match, named problem)', () => {
      expect(matchesFilter(nest(MAX_FILTER_DEPTH), payloadFor(MAX_FILTER_DEPTH))).toBe(false);
      expect(validateFilterExpression(nest(MAX_FILTER_DEPTH), 'filter.body')).toEqual([
        `filter.body${'.n'.repeat(MAX_FILTER_DEPTH)}: nested deeper than ${MAX_FILTER_DEPTH} levels`,
      ]);
    });

    it('survives an absurdly deep filter without a stack overflow', () => {
      expect(matchesFilter(nest(100_000), {})).toBe(false);
      expect(validateFilterExpression(nest(100_000), 'f')).toHaveLength(1);
    });

    it('survives an absurdly deep $eq operand', () => {
      const build = (): unknown => {
        let deep: unknown = 1;
        for (let i = 0; i < 100_000; i++) deep = [deep];
        return deep;
      };
      // two distinct structures, so equality has to be walked rather than found by identity
      expect(matchesFilter({ a: { $eq: build() } }, { a: build() })).toBe(false);
    });

    it.each([[undefined], [null], [5], ['s'], [[1, 2]], [{}]])('any payload (%p) is fine', (payload) => {
      expect(() => matchesFilter({ 'a.$.b': { $gt: 1 }, c: { $regex: 'x' } }, payload)).not.toThrow();
    });
  });

  describe('headers', () => {
    const headers = {
      'X-Tenant': ['a'],
      'Content-Type': ['application/json'],
      'X-Multi': ['one', 'two'],
      'x-single': 'solo',
    };

    it.each<[string, FilterExpression, boolean]>([
      ['{"x-tenant": "a"} matches {"X-Tenant": ["a"]}', { 'x-tenant': 'a' }, true],
      ['filter key in any case', { 'X-TENANT': 'a' }, true],
      ['values are case-sensitive', { 'x-tenant': 'A' }, false],
      ['array literal equals the whole value list', { 'x-tenant': ['a'] }, true],
      ['array literal must equal the whole list', { 'x-multi': ['one'] }, false],
      ['multi-valued header: any value', { 'x-multi': 'two' }, true],
      ['multi-valued header: none', { 'x-multi': 'three' }, false],
      ['a plain string header value', { 'X-Single': 'solo' }, true],
      ['$neq: no value equal', { 'x-multi': { $neq: 'three' } }, true],
      ['$neq: some value equal', { 'x-multi': { $neq: 'one' } }, false],
      ['$in', { 'x-tenant': { $in: ['b', 'a'] } }, true],
      ['$nin', { 'x-tenant': { $nin: ['a'] } }, false],
      ['$regex on any value', { 'content-type': { $regex: '^application/json' } }, true],
      ['$exist present (any case)', { 'CONTENT-TYPE': { $exist: true } }, true],
      ['$exist absent', { 'x-missing': { $exist: false } }, true],
      ['absent header never equals', { 'x-missing': 'a' }, false],
      ['$or across headers', { $or: [{ 'x-tenant': 'b' }, { 'X-MULTI': 'one' }] }, true],
      ['two spellings of one header are both checked', { 'x-tenant': 'a', 'X-Tenant': 'b' }, false],
    ])('%s', (_name, filter, expected) => {
      expect(matchesHeaderFilter(filter, headers)).toBe(expected);
    });

    it('merges headers that differ only in case, and drops non-string values', () => {
      expect(
        normaliseHeaders({
          'X-A': ['1'],
          'x-a': '2',
          'X-B': undefined,
          'X-C': null,
        }),
      ).toEqual({ 'x-a': ['1', '2'] });
      expect(normaliseHeaders(undefined)).toEqual({});
      // Headers from hostile input: a number or an object is no value, never a TypeError.
      expect(normaliseHeaders({ 'X-N': 5, 'X-O': { a: 1 } } as never)).toEqual({ 'x-n': [], 'x-o': [] });
      expect(matchesHeaderFilter({ 'x-a': '2' }, { 'X-A': ['1'], 'x-a': '2' })).toBe(true);
    });

    it('a header filter against no headers', () => {
      expect(matchesHeaderFilter({ 'x-a': { $exist: false } }, undefined)).toBe(true);
      expect(matchesHeaderFilter({ 'x-a': 'b' }, null)).toBe(false);
    });

    it('body matching stays case-sensitive on keys', () => {
      expect(matchesFilter({ Event: 'order.created' }, order)).toBe(false);
    });
  });

  describe('matchesSubscription', () => {
    const config: FilterConfig = {
      event_types: ['order.created', 'order.updated'],
      filter: {
        body: { amount: { $gte: 1000 } },
        headers: { 'x-tenant': 'a' },
      },
    };
    const event = {
      eventType: 'order.created',
      body: order,
      headers: { 'X-Tenant': ['a'] },
    };

    it.each<[string, Partial<typeof event>, boolean]>([
      ['all three hold', {}, true],
      ['event type fails', { eventType: 'invoice.paid' }, false],
      ['body fails', { body: { ...order, amount: 10 } }, false],
      ['headers fail', { headers: { 'X-Tenant': ['b'] } }, false],
    ])('%s', (_name, override, expected) => {
      expect(matchesSubscription(config, { ...event, ...override })).toBe(expected);
    });

    it('no config matches everything; an empty filter with a catch-all too', () => {
      expect(matchesSubscription(null, event)).toBe(true);
      expect(matchesSubscription({ event_types: ['*'], filter: { body: {}, headers: {} } }, event)).toBe(true);
    });
  });

  describe('validateFilter', () => {
    it('accepts every operator used well', () => {
      expect(
        validateFilter({
          body: {
            a: 1,
            b: { $eq: [1] },
            c: { $neq: null },
            d: { $gt: 1, $gte: '2024', $lt: 3, $lte: 4 },
            e: { $in: [1, 'x'] },
            f: { $nin: [] },
            g: { $exist: false },
            h: { $regex: '(?i)^x' },
            $or: [{ i: 1 }, { $and: [{ j: 2 }] }],
            'items.$.sku': 'A',
            '$.x': 1,
          },
          headers: { 'x-a': 'b' },
        }),
      ).toEqual([]);
    });

    it('accepts an absent or empty filter', () => {
      expect(validateFilter(undefined)).toEqual([]);
      expect(validateFilter({ body: {}, headers: {} })).toEqual([]);
      expect(validateFilter({})).toEqual([]);
    });

    it.each<[string, unknown, string[]]>([
      [
        'unknown operator (brief example)',
        { body: { amount: { $foo: 1 } } },
        ['filter.body.amount: unknown operator $foo'],
      ],
      ['unknown operator at the root', { body: { $where: 'x' } }, ['filter.body: unknown operator $where']],
      [
        'unknown operator in headers',
        { headers: { 'x-a': { $like: 'a' } } },
        ['filter.headers.x-a: unknown operator $like'],
      ],
      ['operator names are case-sensitive', { body: { a: { $EQ: 1 } } }, ['filter.body.a: unknown operator $EQ']],
      ['$in needs an array', { body: { a: { $in: 'x' } } }, ['filter.body.a: $in must be an array']],
      ['$nin needs an array', { body: { a: { $nin: 1 } } }, ['filter.body.a: $nin must be an array']],
      ['$gt needs number or string', { body: { a: { $gt: true } } }, ['filter.body.a: $gt needs a number or a string']],
      ['$lte null', { body: { a: { $lte: null } } }, ['filter.body.a: $lte needs a number or a string']],
      ['$exist needs a boolean', { body: { a: { $exist: 1 } } }, ['filter.body.a: $exist needs true or false']],
      ['$regex must be a string', { body: { a: { $regex: 1 } } }, ['filter.body.a: $regex must be a string']],
      [
        '$regex must compile',
        { body: { a: { $regex: '([a-z' } } },
        ['filter.body.a: invalid $regex: error parsing regexp: missing closing ]: `[a-z`'],
      ],
      [
        '$regex length cap',
        { body: { a: { $regex: 'x'.repeat(MAX_REGEX_LENGTH + 1) } } },
        [`filter.body.a: $regex is longer than ${MAX_REGEX_LENGTH} characters`],
      ],
      [
        '$regex backreference',
        { body: { a: { $regex: '(x)\\1' } } },
        ['filter.body.a: invalid $regex: error parsing regexp: invalid escape sequence: `\\1`'],
      ],
      [
        '$regex named backreference',
        { body: { a: { $regex: '(?<n>x)\\k<n>' } } },
        ['filter.body.a: invalid $regex: error parsing regexp: invalid escape sequence: `\\k`'],
      ],
      [
        '$regex lookbehind',
        { body: { a: { $regex: '(?<!x)y' } } },
        ['filter.body.a: invalid $regex: error parsing regexp: invalid named capture: `(?<!x)y`'],
      ],
      [
        '$regex unsupported inline flag',
        { body: { a: { $regex: '(?Z)x+' } } },
        ['filter.body.a: invalid $regex: error parsing regexp: invalid or unsupported Perl syntax: `(?Z`'],
      ],
      ['$or must be an array', { body: { $or: {} } }, ['filter.body: $or must be a non-empty array of filter objects']],
      [
        '$and must be non-empty',
        { body: { $and: [] } },
        ['filter.body: $and must be a non-empty array of filter objects'],
      ],
      ['$or elements must be objects', { body: { $or: [1, { a: 1 }] } }, ['filter.body.$or[0]: must be an object']],
      [
        'problems inside $or/$and are named by index',
        { body: { $and: [{ a: 1 }, { $or: [{ b: { $bad: 1 } }] }] } },
        ['filter.body.$and[1].$or[0].b: unknown operator $bad'],
      ],
      [
        'nested object paths are named',
        { body: { data: { customer: { id: { $gt: [] } } } } },
        ['filter.body.data.customer.id: $gt needs a number or a string'],
      ],
      ['empty path segment', { body: { 'a..b': 1 } }, ['filter.body.a..b: empty path segment']],
      [
        'too many wildcards',
        { body: { 'a.$.b.$': { 'c.$.d.$': 1 } } },
        ['filter.body.a.$.b.$.c.$.d.$: more than 3 array wildcards ($) in one path'],
      ],
      ['body must be an object', { body: [1] }, ['filter.body: must be an object']],
      ['headers must be an object', { headers: 'x' }, ['filter.headers: must be an object']],
      ['filter must be an object', 'x', ['filter: must be an object']],
      [
        'every problem is reported',
        {
          body: { a: { $foo: 1 }, b: { $in: 1 } },
          headers: { c: { $exist: 'x' } },
        },
        [
          'filter.body.a: unknown operator $foo',
          'filter.body.b: $in must be an array',
          'filter.headers.c: $exist needs true or false',
        ],
      ],
    ])('%s', (_name, filter, problems) => {
      expect(validateFilter(filter)).toEqual(problems);
    });

    it.each([
      ['(a+)+', true],
      ['(a|aa)+', true],
      ['.*.*.*=', true],
      ['^(order|invoice)\\.(created|paid)$', true],
      ['(?i)^x', true],
      ['(?P<name>x)', true],
      ['(a)\\1', false],
      ['a(?=b)', false],
      ['(?<=a)b', false],
    ])('RE2 syntax: %s → accepted=%s', (pattern, accepted) => {
      expect(validateFilter({ body: { s: { $regex: pattern } } })).toHaveLength(accepted ? 0 : 1);
    });

    it('validateFilterConfig checks event types and prefixes the filter', () => {
      expect(validateFilterConfig({ event_types: ['*'], filter: { body: {} } })).toEqual([]);
      expect(validateFilterConfig(undefined)).toEqual([]);
      expect(
        validateFilterConfig({
          event_types: ['ok', '', 3],
          filter: { body: { a: { $nope: 1 } } },
        }),
      ).toEqual([
        'filter_config.event_types[1]: must be a non-empty string',
        'filter_config.event_types[2]: must be a non-empty string',
        'filter_config.filter.body.a: unknown operator $nope',
      ]);
      expect(validateFilterConfig({ event_types: 'x' })).toEqual([
        'filter_config.event_types: must be an array of strings',
      ]);
      expect(validateFilterConfig(7)).toEqual(['filter_config: must be an object']);
    });

    it('every filter the validator accepts can match, every one it refuses never does', () => {
      const refused = [
        { amount: { $foo: 1 } },
        { a: { $in: 'x' } },
        { a: { $regex: '(a' } },
        { $or: [] },
        { 'a..b': { $exist: false } },
      ];
      for (const filter of refused) {
        expect(validateFilterExpression(filter, 'f')).not.toEqual([]);
        expect(matchesFilter(filter, { amount: 1, a: 'x' })).toBe(false);
      }
    });
  });

  describe('flattenFilter', () => {
    it.each<[string, FilterExpression, FilterExpression]>([
      ['nested objects become dot-paths', { data: { customer: { id: 5 } } }, { 'data.customer.id': 5 }],
      ['operator objects stay as leaves', { amount: { $gte: 5, $lt: 10 } }, { amount: { $gte: 5, $lt: 10 } }],
      ['nested operators', { data: { amount: { $gte: 5 } } }, { 'data.amount': { $gte: 5 } }],
      ['mixed operators and fields', { a: { $exist: true, b: 1 } }, { a: { $exist: true }, 'a.b': 1 }],
      ['already flat', { 'a.b': 1 }, { 'a.b': 1 }],
      ['$or at the root', { $or: [{ a: { b: 1 } }, { c: 2 }] }, { $or: [{ 'a.b': 1 }, { c: 2 }] }],
      [
        '$or under a field takes its prefix',
        { a: { $or: [{ b: 1 }, { c: 2 }] } },
        { $or: [{ 'a.b': 1 }, { 'a.c': 2 }] },
      ],
      [
        'colliding keys are combined under $and',
        { a: { $or: [{ b: 1 }] }, $or: [{ c: 2 }] },
        { $and: [{ $or: [{ 'a.b': 1 }] }, { $or: [{ c: 2 }] }] },
      ],
      [
        'objects under a wildcard stay nested',
        { 'items.$': { sku: 'A', qty: 3 } },
        { 'items.$': { sku: 'A', qty: 3 } },
      ],
      ['arrays and empty objects are leaves', { a: { b: [1, { c: 2 }], d: {} } }, { 'a.b': [1, { c: 2 }], 'a.d': {} }],
    ])('%s', (_name, filter, flat) => {
      expect(flattenFilter(filter)).toEqual(flat);
    });

    const filters: FilterExpression[] = [
      { customer: { address: { city: 'Lagos' } }, amount: { $gt: 1000 } },
      { customer: { $or: [{ id: 6 }, { address: { zip: '100001' } }] } },
      { amount: { $or: [{ $lt: 100 }, { $gt: 1000 }] }, tags: 'gift' },
      { items: { '$.sku': 'B' } },
      { 'items.$': { sku: 'A', qty: 3 } },
      {
        $and: [{ customer: { id: 5 } }, { $or: [{ customer: { id: 7 } }, { paid: true }] }],
      },
      { customer: { id: { $in: [5] }, address: { city: { $regex: '^La' } } } },
      { customer: { missing: { $exist: false } }, note: null },
    ];
    const payloads: unknown[] = [
      order,
      { ...order, amount: 10 },
      { ...order, customer: { id: 7, address: { city: 'Abuja', zip: 'x' } } },
      { ...order, items: [{ sku: 'A', qty: 3 }] },
      {},
    ];

    it('flattened filters match exactly the same payloads', () => {
      for (const filter of filters) {
        const flat = flattenFilter(filter);
        for (const payload of payloads) {
          expect([filter, payload, matchesFilter(flat, payload)]).toEqual([
            filter,
            payload,
            matchesFilter(filter, payload),
          ]);
        }
      }
      // the comparison is not vacuous: both outcomes occur
      const outcomes = filters.flatMap((f) => payloads.map((p) => matchesFilter(f, p)));
      expect(outcomes).toContain(true);
      expect(outcomes).toContain(false);
    });
  });

  describe('deepEqual', () => {
    it('reports over-deep values unequal instead of throwing', () => {
      const build = (): unknown => {
        let deep: unknown = 1;
        for (let i = 0; i < 1000; i++) deep = [deep];
        return deep;
      };
      expect(deepEqual(build(), build())).toBe(false);
      expect(deepEqual([[[1]]], [[[1]]])).toBe(true);
    });

    it.each<[unknown, unknown, boolean]>([
      [1, 1, true],
      [1, '1', false],
      [null, null, true],
      [null, undefined, false],
      [[], [], true],
      [[], {}, false],
      [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, true],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
      [{ a: 1 }, { a: 1, b: undefined }, false],
      [{ a: undefined }, { b: undefined }, false],
      [[1, 2], [2, 1], false],
    ])('%p vs %p → %p', (a, b, expected) => {
      expect(deepEqual(a, b)).toBe(expected);
    });
  });
});
