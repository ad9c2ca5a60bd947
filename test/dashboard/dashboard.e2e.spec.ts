import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  createTestDatabase,
  eventually,
  ServiceProcess,
  spawnService,
  TestDatabase,
  WORKSPACE_ROOT,
} from '@caravan/testing';
import { FAST_DISPATCHER_ENV, freePort, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';
import { WebhookReceiver } from '../dispatcher/support/webhook-receiver';

/** Debian's Chromium (scripts/test.sh installs it); flags keep it off the network it cannot reach. */
export const CHROMIUM = process.env['CARAVAN_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghijklmnopqrstu';
const SCREENSHOTS = join(WORKSPACE_ROOT, '.run', 'screenshots');
const UI_TIMEOUT = 45_000;

/**
 * The dashboard in a real browser against the real stack: the api and dispatcher bundles
 * (the api serving the built dashboard), Postgres, Kafka, and a local receiver.
 */
describe('dashboard and portal in Chromium (real api, dispatcher, Postgres, Kafka)', () => {
  jest.setTimeout(240_000);
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let api: ServiceProcess;
  let dispatcher: ServiceProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let projectId: string;
  let apiKey: string;

  const rest = async <T = any>(method: string, path: string, body?: unknown, key = apiKey): Promise<T> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const parsed = (await response.json()) as any;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed.data as T;
  };
  const project = (rest_: string) => `/api/v1/projects/${projectId}${rest_}`;
  const shot = (name: string, target: Page = page) =>
    target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const statusOf = async (deliveryId: string) => (await rest('GET', project(`/eventdeliveries/${deliveryId}`))).status;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/test.sh installs Debian's chromium`);
    if (!existsSync(join(WORKSPACE_ROOT, 'dist', 'apps', 'api', 'dashboard', 'index.html'))) {
      throw new Error('the api bundle has no dashboard: run `nx build api` (it builds the dashboard first)');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    database = await createTestDatabase({ poolSize: 5 });
    receiver = await WebhookReceiver.start();
    const apiPort = await freePort();
    const env = {
      ...FAST_DISPATCHER_ENV,
      ...isolatedKafkaEnv('dashboard'),
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
      CARAVAN_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    };
    api = spawnService('api', apiPort, env);
    dispatcher = spawnService('dispatcher', await freePort(), env);
    await Promise.all([api.waitForReady(), dispatcher.waitForReady()]);
    const created = await rest(
      'POST',
      '/api/v1/projects',
      { name: 'Shop', type: 'outgoing', config: { strategy: { type: 'linear', duration: 1, retry_count: 2 } } },
      ADMIN_KEY,
    );
    projectId = created.project.uid;
    apiKey = created.api_key.key;
    // Playwright gives every launch a fresh temporary user-data-dir of its own (and removes it).
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Paris' });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await database?.drop();
  });

  async function signIn(key: string) {
    await page.goto(`${api.url}/login`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The delivery ids of an event, once the router has made them. */
  async function deliveriesOf(eventId: string): Promise<Array<{ uid: string; status: string }>> {
    return eventually(
      async () => (await rest('GET', project(`/eventdeliveries?eventId=${eventId}`))).content,
      (list: Array<{ uid: string; status: string }>) => list.length > 0,
      30_000,
    );
  }

  it('refuses a wrong key with a clear message, and shows a 403 page for another project', async () => {
    await page.goto(`${api.url}/projects`);
    await page.getByLabel('API key').waitFor(); // not signed in: the app asks for a key first
    await signIn('CO.AAAAAAAAAAAAAAAA.wrongwrongwrongwrongwrongwrongwrong');
    await page.getByText('That key was refused (401)').waitFor();
    const other = await rest('POST', '/api/v1/projects', { name: 'Other', type: 'outgoing' }, ADMIN_KEY);
    await signIn(apiKey);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${api.url}/projects/${other.project.uid}/endpoints`);
    await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
  });

  it('signs in, creates an endpoint and a subscription in the UI, and shows an event delivered live', async () => {
    await signIn(apiKey);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByText('No endpoints match.').waitFor();
    await page.getByLabel('Endpoint name').fill('orders');
    await page.getByLabel('Endpoint URL').fill(receiver.url('/orders'));
    await page.getByLabel('Owner ID').fill('acme');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('cell', { name: 'orders', exact: true }).waitFor();
    await shot('endpoints');

    // The event-type picker offers the project's catalogue (not types seen in recent events).
    await rest('POST', project('/event-types'), { name: 'order.paid', description: 'An order was paid' });
    await rest('POST', project('/event-types'), { name: 'order.created' });
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByLabel('Subscription name').fill('orders-all');
    await page.getByLabel('Endpoint', { exact: true }).selectOption({ label: 'orders' });
    const picker = page.getByRole('group', { name: 'Event types' });
    await picker.getByLabel('order.paid — An order was paid').check();
    await picker.getByLabel('order.created', { exact: true }).check();
    expect(await picker.getByLabel('All event types (*)').isChecked()).toBe(false);
    await page.getByLabel('Body filter (JSON)').fill('{"amount": {"$gte": 1}}');
    await page.getByLabel('Sample payload (JSON)').fill('{"amount": 5}');
    const create = page.getByRole('button', { name: 'Create subscription' });
    expect(await create.isDisabled()).toBe(true); // not before test_filter has run
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.getByTestId('test-filter-result').getByText('the sample matches this filter').waitFor();
    await shot('subscription-filter-editor');
    await create.click();
    await page.getByRole('cell', { name: 'orders-all' }).waitFor();
    const [subscription] = (await rest('GET', project('/subscriptions'))).content;
    expect(subscription.filter_config.event_types).toEqual(['order.paid', 'order.created']);

    const endpoint = (await rest('GET', project('/endpoints'))).content[0];
    const event = await rest('POST', project('/events'), {
      endpoint_id: endpoint.uid,
      event_type: 'order.paid',
      data: { amount: 12 },
    });
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const [delivery] = await deliveriesOf(event.uid);
    await page.locator(`tr[data-delivery="${delivery.uid}"] [data-status="Success"]`).waitFor();
    expect(receiver.at('/orders')).toHaveLength(1);
    await shot('deliveries');
  });

  it('shows Failure, retries it to Success, then offers and runs Force Retry', async () => {
    receiver.script('/flaky', { status: 500, body: 'down' });
    const endpoint = await rest('POST', project('/endpoints'), { name: 'flaky', url: receiver.url('/flaky') });
    await rest('POST', project('/subscriptions'), { name: 'flaky-all', endpoint_id: endpoint.uid });
    const event = await rest('POST', project('/events'), {
      endpoint_id: endpoint.uid,
      event_type: 'order.paid',
      data: { amount: 3 },
    });
    const [delivery] = await deliveriesOf(event.uid);
    await page.goto(`${api.url}/projects/${projectId}/deliveries/${delivery.uid}`);
    await page.locator('section .toolbar [data-status="Failure"]').waitFor({ timeout: 60_000 });
    const button = page.getByRole('button', { name: /Retry$/ });
    expect(await button.textContent()).toBe('Retry');
    await page.getByText('500 Internal Server Error').first().waitFor();
    await shot('delivery-failure');

    receiver.script('/flaky', { status: 200 });
    await button.click();
    await page.locator('section .toolbar [data-status="Success"]').waitFor({ timeout: 60_000 });
    const force = page.getByRole('button', { name: 'Force Retry' });
    await force.waitFor();
    const before = receiver.at('/flaky').length;
    await force.click();
    await eventually(
      async () => receiver.at('/flaky').length,
      (count) => count > before,
      60_000,
    );
    await page.locator('section .toolbar [data-status="Success"]').waitFor({ timeout: 60_000 });
    // The page may still show the Success before the forced send: the api has the last word.
    await eventually(
      () => statusOf(delivery.uid),
      (status) => status === 'Success',
      60_000,
    );
    await shot('delivery-force-retry');
  });

  it('marks a duplicate event (same idempotency key) and shows it has no delivery', async () => {
    const endpoint = (await rest('GET', project('/endpoints?q=orders'))).content[0];
    const body = {
      endpoint_id: endpoint.uid,
      event_type: 'order.created',
      data: { n: 1 },
      idempotency_key: 'order-77',
    };
    const first = await rest('POST', project('/events'), body);
    const second = await rest('POST', project('/events'), body);
    expect(second.uid).not.toBe(first.uid);
    await page.goto(`${api.url}/projects/${projectId}/events`);
    await page.locator(`tr[data-event="${second.uid}"] .duplicate`).waitFor();
    expect(await page.locator(`tr[data-event="${first.uid}"] .duplicate`).count()).toBe(0);
    await shot('events');
    await page.locator(`tr[data-event="${second.uid}"] a`).click();
    await page.getByText('None: duplicates are not delivered.').waitFor();
    await deliveriesOf(first.uid); // the original is delivered
    expect((await rest('GET', project(`/eventdeliveries?eventId=${second.uid}`))).content).toEqual([]);
    await shot('event-duplicate');
  });

  it("opens a portal link that shows only its owner's endpoints and deliveries, and refuses another owner's delivery", async () => {
    const globex = await rest('POST', project('/endpoints'), {
      name: 'globex-hooks',
      url: receiver.url('/globex'),
      owner_id: 'globex',
    });
    await rest('POST', project('/subscriptions'), { name: 'globex-all', endpoint_id: globex.uid });
    const theirs = await rest('POST', project('/events'), { endpoint_id: globex.uid, event_type: 'x', data: {} });
    const [theirDelivery] = await deliveriesOf(theirs.uid);

    await page.goto(`${api.url}/projects/${projectId}/portal-links`);
    await page.getByLabel('Link name').fill('Acme portal');
    await page.getByLabel('Owner ID').fill('acme');
    await page.getByRole('button', { name: 'Create portal link' }).click();
    const link = page.locator('.secret-once a');
    await link.waitFor();
    const url = (await link.getAttribute('href')) as string;
    expect(url).toMatch(new RegExp(`^${api.url}/portal\\?token=[A-Za-z0-9_-]{43}$`));

    // The customer: a separate browser context, so nothing of the operator's session is there.
    const customer = await browser.newContext({ viewport: { width: 390, height: 844 } });
    customer.setDefaultTimeout(UI_TIMEOUT);
    const portal = await customer.newPage();
    await portal.goto(url);
    await portal.getByRole('heading', { name: 'Your endpoints' }).waitFor();
    expect(portal.url()).toBe(`${api.url}/portal/endpoints`); // the token left the address bar
    await portal.getByRole('cell', { name: 'orders', exact: true }).waitFor();
    expect(await portal.getByText('globex-hooks').count()).toBe(0);
    expect(await portal.getByText('flaky').count()).toBe(0);
    // Readable at phone width: wide tables scroll inside themselves, the page does not.
    expect(await portal.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('portal-endpoints-phone', portal);

    await portal.getByRole('link', { name: 'Deliveries' }).click();
    await portal.getByRole('heading', { name: 'Your deliveries' }).waitFor();
    await portal.locator('tr[data-delivery]').first().waitFor();
    const rows = portal.locator('tr[data-delivery]');
    const shown: string[] = [];
    for (let i = 0; i < (await rows.count()); i += 1)
      shown.push((await rows.nth(i).getAttribute('data-delivery')) ?? '');
    const acme = (await rest('GET', project('/eventdeliveries?perPage=100'))).content
      .filter((d: { endpoint_metadata: { owner_id?: string; name: string } }) => d.endpoint_metadata.name === 'orders')
      .map((d: { uid: string }) => d.uid);
    expect([...shown].sort()).toEqual([...acme].sort());
    expect(shown).not.toContain(theirDelivery.uid);

    await portal.goto(`${api.url}/portal/deliveries/${theirDelivery.uid}`);
    await portal.getByText(`event delivery ${theirDelivery.uid} not found`).waitFor();
    await shot('portal-refused', portal);

    // Its owner's events only, each with its payload (pretty or the exact bytes) and deliveries.
    const orders = (await rest('GET', project('/endpoints?q=orders'))).content[0];
    const acmeEvents = (await rest('GET', project(`/events?endpointId=${orders.uid}&perPage=100`))).content.map(
      (e: { uid: string }) => e.uid,
    );
    await portal.getByRole('link', { name: 'Events' }).click();
    await portal.getByRole('heading', { name: 'Your events' }).waitFor();
    await portal.locator('tr[data-event]').first().waitFor();
    const eventRows = portal.locator('tr[data-event]');
    const shownEvents: string[] = [];
    for (let i = 0; i < (await eventRows.count()); i += 1)
      shownEvents.push((await eventRows.nth(i).getAttribute('data-event')) ?? '');
    expect([...shownEvents].sort()).toEqual([...acmeEvents].sort());
    expect(shownEvents).not.toContain(theirs.uid);
    await shot('portal-events-phone', portal);
    const paid = (await rest('GET', project(`/events?endpointId=${orders.uid}&query=order.paid`))).content[0];
    await portal.locator(`tr[data-event="${paid.uid}"] a`).click();
    const payload = portal.getByLabel('Payload', { exact: true });
    await portal.getByRole('heading', { name: `Event ${paid.uid}` }).waitFor();
    expect(await payload.textContent()).toBe(JSON.stringify(JSON.parse(paid.raw), null, 2));
    await portal.getByLabel('Show the exact bytes received').check();
    expect(await payload.textContent()).toBe(paid.raw);
    await portal.locator('tr[data-delivery]').first().waitFor();
    await portal.goto(`${api.url}/portal/events/${theirs.uid}`);
    await portal.getByText(`event ${theirs.uid} not found`).waitFor();
    await customer.close();
  });

  it('renders the overview chart with data', async () => {
    await page.goto(`${api.url}/projects/${projectId}`);
    await page.getByTestId('delivery-chart').locator('canvas').waitFor();
    const rate = page.getByTestId('success-rate');
    await eventually(
      async () => (await rate.textContent()) ?? '',
      (text) => /^\d+(\.\d+)?%$/.test(text),
      30_000,
    );
    const successTile = page.locator('.tile', { has: page.locator('[data-status="Success"]') }).locator('strong');
    expect(Number(await successTile.textContent())).toBeGreaterThanOrEqual(3);
    await shot('overview');
  });

  // Last: the slower retry settings it saves would slow the tests above.
  it("edits the project settings through the form, shows the api's refusal at its field, and saves", async () => {
    await signIn(apiKey);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${api.url}/projects/${projectId}/settings`);
    const form = page.getByRole('form', { name: 'Project settings' });
    await form.getByLabel('Strategy', { exact: true }).selectOption('exponential');
    const interval = form.getByLabel('Retry interval (seconds)');
    await interval.fill('100000');
    await form.getByRole('button', { name: 'Save settings' }).click();
    // The api's 400 names config.strategy.duration: its message stands next to that field.
    const problem = form
      .locator('.field', { has: page.getByLabel('Retry interval (seconds)') })
      .locator('.field-error');
    await problem.getByText('config.strategy.duration must not be greater than 86400').waitFor();
    expect(await interval.getAttribute('aria-invalid')).toBe('true');
    await shot('settings-field-error');

    await interval.fill('45');
    await form.getByLabel('Attempts (retry count)').fill('4');
    await form.getByLabel('Signature header').fill('X-Shop-Signature');
    await form.getByRole('button', { name: 'Add a signature version' }).click();
    await form.getByLabel('Version 2 hash').selectOption('SHA512');
    await form.getByLabel('Version 2 encoding').selectOption('base64');
    await form.getByLabel('Requests per window').fill('50');
    await form.getByLabel('Window (seconds)').fill('30');
    await form.getByLabel('Send meta events').check();
    await form.getByLabel('Meta event URL').fill(receiver.url('/meta'));
    await form.getByLabel('eventdelivery.failed').check();
    await form.getByLabel('Keep data for').fill('720h');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    expect(await problem.count()).toBe(0);

    const { config } = await rest('GET', project(''));
    expect(config.strategy).toEqual({ type: 'exponential', duration: 45, retry_count: 4 });
    expect(config.signature.header).toBe('X-Shop-Signature');
    expect(config.signature.versions.map((v: { hash: string; encoding: string }) => [v.hash, v.encoding])).toEqual([
      ['SHA256', 'hex'],
      ['SHA512', 'base64'],
    ]);
    expect(config.ratelimit).toEqual({ count: 50, duration: 30 });
    expect(config.meta_event).toMatchObject({
      is_enabled: true,
      type: 'http',
      url: receiver.url('/meta'),
      event_type: ['eventdelivery.failed'],
    });
    expect(config.retention_policy).toBe('720h');
    // A reload shows what was saved.
    await page.reload();
    expect(await page.getByLabel('Retry interval (seconds)').inputValue()).toBe('45');
    await shot('settings');
  });
});
