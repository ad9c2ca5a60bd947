import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** How to answer: a status (plus headers/body), or `hang` (never answer) for timeout tests. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1. Each path gets a script of replies (the last one repeats);
 * every request is recorded with its exact body bytes.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.requests.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks),
          at: Date.now(),
        });
        const script = this.scripts.get(path) ?? [];
        const reply = (script.length > 1 ? script.shift() : script[0]) ?? {
          status: 200,
        };
        if (reply === 'hang') {
          this.hanging.add(response);
          return;
        }
        response.writeHead(reply.status, reply.headers ?? {});
        response.end(reply.body ?? 'ok');
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Replies for `path`, in order; the last repeats forever. */
  script(path: string, ...replies: Reply[]): void {
    this.scripts.set(path, replies);
  }

  /** Answers every request held by a `hang` reply so far with `status`. */
  answerHanging(status = 200): void {
    for (const response of this.hanging) response.writeHead(status).end('ok');
    this.hanging.clear();
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The value, or a clear failure when it is missing (instead of a non-null assertion). */
export function defined<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value, got nothing');
  return value;
}
