import { EventFixtures } from './testing/event-fixtures.helper';
import { ApiHarness, startApiHarness } from './testing/api-harness';

/** The api's own metrics move with traffic: requests by route template, intake outcomes, doorbells. */
describe('api metrics', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  async function scrape(): Promise<string> {
    return (await fetch(`${api.url}/metrics`)).text();
  }

  function value(text: string, series: string): number {
    const line = text.split('\n').find((candidate) => candidate.startsWith(series));
    return line ? Number(line.slice(series.length).trim()) : 0;
  }

  it('counts requests by route template and status, events by outcome, and doorbells by topic', async () => {
    const { projectId, apiKey } = await api.createProject();
    const endpoint = await new EventFixtures(api.app).endpoint(projectId);
    const route = '/api/v1/projects/:projectID/events';
    const body = { endpoint_id: endpoint.id, event_type: 'metrics.test', data: { a: 1 }, idempotency_key: 'k-1' };

    expect((await api.request('POST', `/api/v1/projects/${projectId}/events`, { key: apiKey, body })).status).toBe(201);
    expect((await api.request('POST', `/api/v1/projects/${projectId}/events`, { key: apiKey, body })).status).toBe(201);
    expect(
      (
        await api.request('POST', `/api/v1/projects/${projectId}/events`, {
          key: apiKey,
          body: { ...body, endpoint_id: 'nope' },
        })
      ).status,
    ).toBe(400);
    await api.request('GET', '/api/v1/nowhere');

    // The doorbell is rung after the response; give the micro-batcher its few milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const text = await scrape();
    expect(value(text, `caravan_http_requests_total{method="POST",route="${route}",status="201",service="api"}`)).toBe(
      2,
    );
    expect(value(text, `caravan_http_requests_total{method="POST",route="${route}",status="400",service="api"}`)).toBe(
      1,
    );
    expect(value(text, 'caravan_http_requests_total{method="GET",route="unmatched",status="404",service="api"}')).toBe(
      1,
    );
    expect(
      value(
        text,
        `caravan_http_request_duration_seconds_count{service="api",method="POST",route="${route}",status_class="2xx"}`,
      ),
    ).toBe(2);
    expect(value(text, 'caravan_intake_events_total{routing="direct",outcome="accepted",service="api"}')).toBe(1);
    expect(value(text, 'caravan_intake_events_total{routing="direct",outcome="duplicate",service="api"}')).toBe(1);
    expect(value(text, 'caravan_intake_events_total{routing="direct",outcome="rejected",service="api"}')).toBe(1);
    expect(
      value(text, `caravan_kafka_produced_messages_total{topic="${api.config.kafka.topics.events}",service="api"}`),
    ).toBe(1);
    expect(text).not.toContain(projectId);
  });
});
