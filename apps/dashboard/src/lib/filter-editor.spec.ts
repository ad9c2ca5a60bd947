import { checkFilterDraft } from './filter-editor';

const draft = (over: object = {}) => ({ body: '', headers: '', samplePayload: '', sampleHeaders: '', ...over });

describe('the filter editor', () => {
  it('accepts an empty draft: no filter, everything matches', () => {
    expect(checkFilterDraft(draft())).toEqual({ problems: [], filter: undefined, matches: true });
  });

  it('builds the filter and matches the sample with the api rules (operators, nested paths)', () => {
    const check = checkFilterDraft(
      draft({
        body: '{"amount": {"$gte": 10}, "customer.tier": "gold"}',
        samplePayload: '{"amount": 12, "customer": {"tier": "gold"}}',
      }),
    );
    expect(check.problems).toEqual([]);
    expect(check.filter).toEqual({ body: { amount: { $gte: 10 }, 'customer.tier': 'gold' } });
    expect(check.matches).toBe(true);
    expect(checkFilterDraft(draft({ body: '{"amount": {"$gte": 10}}', samplePayload: '{"amount": 3}' })).matches).toBe(
      false,
    );
  });

  it('matches header filters case-insensitively on names', () => {
    const check = checkFilterDraft(draft({ headers: '{"x-tenant": "acme"}', sampleHeaders: '{"X-Tenant": "acme"}' }));
    expect(check).toMatchObject({ problems: [], filter: { headers: { 'x-tenant': 'acme' } }, matches: true });
  });

  it('names the box with broken JSON, a non-object filter and an unknown operator', () => {
    expect(checkFilterDraft(draft({ body: '{"a":' })).problems[0]).toMatch(/^body filter: not valid JSON/);
    expect(checkFilterDraft(draft({ samplePayload: 'nope' })).problems[0]).toMatch(/^sample payload: not valid JSON/);
    expect(checkFilterDraft(draft({ headers: '[1]' })).problems).toEqual(['header filter: must be a JSON object']);
    const unknown = checkFilterDraft(draft({ body: '{"amount": {"$bogus": 1}}' }));
    expect(unknown.matches).toBeNull();
    expect(unknown.problems.join()).toMatch(/body filter\.amount.*\$bogus/);
  });
});
