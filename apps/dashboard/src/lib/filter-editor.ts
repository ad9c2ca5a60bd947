import { matchesFilter, matchesHeaderFilter, validateFilterExpression } from '@caravan/domain';

export interface FilterDraft {
  body: string;
  headers: string;
  samplePayload: string;
  sampleHeaders: string;
}

export interface FilterCheck {
  /** Problems, each naming its place ("body filter: …"); empty when the draft can be sent. */
  problems: string[];
  /** The filters as the api takes them (absent when empty). */
  filter?: { body?: Record<string, unknown>; headers?: Record<string, unknown> };
  /** Whether the sample matches, as the router would decide (null when the draft is invalid). */
  matches: boolean | null;
}

function parse(text: string, name: string, problems: string[]): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${name}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/**
 * Reads the filter editor's four text boxes: JSON syntax, the filter rules of libs/domain
 * (the api's own), and a local match of the sample, so mistakes show before any request.
 * The editor still runs the api's test_filter before saving.
 */
export function checkFilterDraft(draft: FilterDraft): FilterCheck {
  const problems: string[] = [];
  const body = parse(draft.body, 'body filter', problems);
  const headers = parse(draft.headers, 'header filter', problems);
  const payload = parse(draft.samplePayload, 'sample payload', problems);
  const sampleHeaders = parse(draft.sampleHeaders, 'sample headers', problems);
  for (const [value, name] of [
    [body, 'body filter'],
    [headers, 'header filter'],
  ] as const) {
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      problems.push(`${name}: must be a JSON object`);
    }
  }
  if (problems.length === 0) {
    problems.push(
      ...validateFilterExpression(body, 'body filter'),
      ...validateFilterExpression(headers, 'header filter'),
    );
  }
  if (problems.length > 0) return { problems, matches: null };
  const filter =
    body === undefined && headers === undefined
      ? undefined
      : {
          ...(body !== undefined ? { body: body as Record<string, unknown> } : {}),
          ...(headers !== undefined ? { headers: headers as Record<string, unknown> } : {}),
        };
  const matches =
    matchesFilter(body, payload ?? {}) &&
    matchesHeaderFilter(headers, (sampleHeaders ?? {}) as Record<string, string | string[]>);
  return { problems, filter, matches };
}
