#!/usr/bin/env node
// A small webhook receiver for trying Caravan locally (started by scripts/up.sh). It checks
// each delivery's signature with the endpoint's secret, prints the delivery, and fails on
// request so retries and endpoint disabling can be watched:
//   ?fail=N      answer 500 to the first N attempts of each event at this URL, then 200
//   ?status=CODE answer CODE every time (e.g. 410 disables the endpoint)
//   ?slow=MS     wait MS milliseconds before answering (timeouts)
//
// Usage: node scripts/demo-receiver.mjs --port 5008 --secret <endpoint secret>
// (or CARAVAN_DEMO_RECEIVER_PORT / CARAVAN_DEMO_RECEIVER_SECRET). It verifies the Convoy
// signature header, simple (`HMAC(secret, body)`) or advanced (`t=…,v1=…` over "t,body"),
// SHA-256 or SHA-512, hex or base64: an independent receiver's view of what Caravan signs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.CARAVAN_DEMO_RECEIVER_PORT ?? '5008' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string', default: process.env.CARAVAN_DEMO_RECEIVER_SECRET ?? '' },
    header: { type: 'string', default: 'x-convoy-signature' },
  },
});

/** Attempts answered so far, by URL (path and query) and event id, for `?fail=N`. */
const seen = new Map();

function digests(data, secret) {
  const out = [];
  for (const hash of ['sha256', 'sha512']) {
    const mac = createHmac(hash, secret).update(data).digest();
    out.push(mac.toString('hex'), mac.toString('base64'));
  }
  return out;
}

function sameText(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** "valid", or why not: the receiver's own check of the signature over the raw bytes. */
function verify(header, body, secret) {
  if (!secret) return 'not checked (no --secret given)';
  if (!header) return 'INVALID (no signature header)';
  const advanced = /^t=(\d+),(.+)$/.exec(header);
  if (advanced) {
    const signed = Buffer.concat([Buffer.from(`${advanced[1]},`), body]);
    const expected = digests(signed, secret);
    const given = advanced[2].split(',').map((part) => part.replace(/^v\d+=/, ''));
    return given.some((sig) => expected.some((candidate) => sameText(sig, candidate)))
      ? 'valid'
      : 'INVALID (no v1 signature matches the secret)';
  }
  return digests(body, secret).some((candidate) => sameText(header, candidate))
    ? 'valid'
    : 'INVALID (does not match the secret)';
}

function answerFor(url, eventId) {
  const query = url.searchParams;
  const key = `${url.pathname}${url.search} ${eventId}`;
  const count = (seen.get(key) ?? 0) + 1;
  seen.set(key, count);
  if (query.has('status')) return Number(query.get('status')) || 500;
  const failures = Number(query.get('fail') ?? 0);
  return count <= failures ? 500 : 200;
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://receiver');
    const status = answerFor(url, request.headers['x-convoy-event-id'] ?? '');
    const slow = Math.min(Number(url.searchParams.get('slow') ?? 0) || 0, 120_000);
    const signature = verify(request.headers[values.header], body, values.secret);
    const text = body.toString('utf8');
    console.log(
      [
        `${new Date().toISOString()} ${request.method} ${url.pathname}${url.search} -> ${status}${slow ? ` after ${slow} ms` : ''}`,
        `  event: ${request.headers['x-convoy-event-type'] ?? '?'}  id: ${request.headers['x-convoy-event-id'] ?? '?'}  delivery: ${request.headers['x-convoy-delivery-id'] ?? '?'}`,
        `  signature: ${signature}`,
        `  body: ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`,
      ].join('\n'),
    );
    setTimeout(() => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ received: status < 300 }));
    }, slow);
  });
});

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  console.log(`demo receiver: listening on http://${values.host}:${port}/ (signature header ${values.header})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
