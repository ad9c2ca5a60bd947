import { useState } from 'react';
import { call, projectPath } from '../lib/api';
import { checkFilterDraft, type FilterCheck, type FilterDraft } from '../lib/filter-editor';
import { TextAreaField } from './form';
import { ErrorState } from './ui';

/**
 * Body and header filters with a sample payload: checked as you type with the api's own
 * rules, and run through the api's test_filter before the subscription can be saved.
 */
export function FilterEditor({
  projectId,
  draft,
  onChange,
  onTested,
}: {
  projectId: string;
  draft: FilterDraft;
  onChange: (draft: FilterDraft) => void;
  onTested: (result: boolean | null) => void;
}) {
  const check: FilterCheck = checkFilterDraft(draft);
  const [serverResult, setServerResult] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const set = (field: keyof FilterDraft) => (value: string) => {
    setServerResult(null);
    onTested(null);
    onChange({ ...draft, [field]: value });
  };

  async function test() {
    setError(null);
    try {
      const result = await call<boolean>('POST', projectPath(projectId, '/subscriptions/test_filter'), {
        body: {
          request: {
            body: draft.samplePayload.trim() ? JSON.parse(draft.samplePayload) : {},
            header: draft.sampleHeaders.trim() ? JSON.parse(draft.sampleHeaders) : {},
          },
          schema: { body: check.filter?.body ?? {}, header: check.filter?.headers ?? {} },
        },
      });
      setServerResult(result);
      onTested(result);
    } catch (caught) {
      setError(caught);
      onTested(null);
    }
  }

  const box = (label: string, field: keyof FilterDraft, hint?: string) => (
    <TextAreaField label={label} hint={hint} value={draft[field]} onChange={set(field)} />
  );

  return (
    <fieldset className="filter-editor">
      <legend>Filter</legend>
      <div className="columns">
        <div>
          {box('Body filter (JSON)', 'body', 'e.g. {"amount": {"$gte": 100}, "customer.tier": "gold"}')}
          {box('Header filter (JSON)', 'headers')}
        </div>
        <div>
          {box('Sample payload (JSON)', 'samplePayload')}
          {box('Sample headers (JSON)', 'sampleHeaders')}
        </div>
      </div>
      {check.problems.length > 0 ? (
        <ul className="error" role="alert" aria-label="Filter problems">
          {check.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : (
        <p role="status" className="hint">
          Locally the sample {check.matches ? 'matches' : 'does not match'}.
        </p>
      )}
      <button type="button" onClick={() => void test()} disabled={check.problems.length > 0}>
        Test filter
      </button>
      {serverResult !== null && (
        <p role="status" data-testid="test-filter-result">
          test_filter: the sample {serverResult ? 'matches' : 'does not match'} this filter.
        </p>
      )}
      {error ? <ErrorState error={error} /> : null}
    </fieldset>
  );
}
