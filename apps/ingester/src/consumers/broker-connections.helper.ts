import { SsrfGuard, SsrfRefusedError } from '@caravan/domain';
import type { ISocketFactory } from 'kafkajs';
import { Agent as HttpAgent, ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/*
 * Every broker client of the ingester dials through the SSRF guard (a tenant names the broker):
 * host names resolve through the guard's lookup, which judges every resolved address, so the
 * address connected to is one that was checked; IP literals are judged before connecting.
 */

/** kafkajs's socket factory (its default one, plus the guard). */
export function guardedKafkaSocketFactory(guard: SsrfGuard): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const options = guard.connectOptions({ host, port });
    if (typeof options === 'string') return SsrfGuard.refusedSocket(options);
    return ssl ? tlsConnect({ ...options, servername: host, ...ssl }, onConnect) : netConnect(options, onConnect);
  };
}

/** http and https agents for the AWS SDK's request handler. */
export function guardedHttpAgents(guard: SsrfGuard): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const guarded = (
    options: ClientRequestArgs,
    connect: (options: ClientRequestArgs) => Duplex | null | undefined,
  ): Duplex | null | undefined => {
    const checked = guard.connectOptions(options);
    return typeof checked === 'string' ? SsrfGuard.refusedSocket(checked) : connect(checked);
  };
  class GuardedHttpAgent extends HttpAgent {
    override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) {
      return guarded(options, (checked) => super.createConnection(checked, callback));
    }
  }
  class GuardedHttpsAgent extends HttpsAgent {
    override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) {
      return guarded(options, (checked) => super.createConnection(checked, callback));
    }
  }
  return {
    httpAgent: new GuardedHttpAgent({ keepAlive: true }),
    httpsAgent: new GuardedHttpsAgent({ keepAlive: true }),
  };
}

/**
 * `host:port` with the host replaced by an address the guard allows, for clients whose own
 * resolver cannot be replaced (gRPC): they then connect to exactly the address checked.
 */
export function resolveGuardedEndpoint(guard: SsrfGuard, endpoint: string): Promise<string> {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(endpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, ''));
  if (!match?.[1]) return Promise.reject(new Error(`endpoint ${JSON.stringify(endpoint)} is not host:port`));
  const host = match[1].replace(/^\[|\]$/g, '');
  const port = match[2] ? `:${match[2]}` : '';
  const literal = guard.refuseHost(host);
  if (literal) return Promise.reject(new SsrfRefusedError(literal));
  return new Promise((resolve, reject) =>
    guard.lookup(host, {}, (error, address, family) => {
      if (error) reject(error);
      else resolve(`${family === 6 ? `[${String(address)}]` : String(address)}${port}`);
    }),
  );
}
