import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** Path of the CA certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A client certificate of another CA: a server trusting only `ca` refuses it. */
  stranger: { cert: string; key: string };
  remove(): void;
}

/**
 * A throw-away PKI made with openssl at test time: a CA, a server certificate for 127.0.0.1
 * and client certificates (one signed by the CA, one self-signed). Nothing is checked in.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-mtls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', file(name));

  key('ca.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=caravan-test-ca',
  );
  const signed = (name: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    );
    return { cert: readFileSync(file(`${name}.crt`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') };
  };
  const server = signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = signed('client', '/CN=caravan-client', 'extendedKeyUsage=clientAuth\n');
  key('stranger.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('stranger.key'),
    '-out',
    file('stranger.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=stranger',
  );
  return {
    caFile: file('ca.crt'),
    ca: readFileSync(file('ca.crt'), 'utf8'),
    server,
    client,
    stranger: { cert: readFileSync(file('stranger.crt'), 'utf8'), key: readFileSync(file('stranger.key'), 'utf8') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
