import { LookupAddress } from 'node:dns';
import { SsrfGuard } from './ssrf-guard';

describe('SsrfGuard', () => {
  const guard = new SsrfGuard([]);

  it.each([
    ['127.0.0.1', 'loopback address'],
    ['127.255.0.9', 'loopback address'],
    ['::1', 'loopback address'],
    ['10.0.0.5', 'private address'],
    ['172.16.3.4', 'private address'],
    ['172.31.255.255', 'private address'],
    ['192.168.1.1', 'private address'],
    ['100.64.0.1', 'private address'],
    ['fd12:3456::1', 'private address'],
    ['169.254.169.254', 'cloud metadata address'],
    ['fd00:ec2::254', 'cloud metadata address'],
    ['169.254.10.10', 'link-local address'],
    ['fe80::1', 'link-local address'],
    ['0.0.0.0', 'unspecified address'],
    ['::', 'unspecified address'],
    ['224.0.0.1', 'multicast address'],
    ['ff02::1', 'multicast address'],
    ['255.255.255.255', 'reserved address'],
    ['::ffff:10.0.0.5', 'private address'],
    ['::ffff:7f00:1', 'loopback address'],
  ])('refuses %s as a %s', (address, label) => {
    expect(guard.refusal(address)).toMatch(new RegExp(`^SSRF guard: destination .+ is a ${label}; not allowed `));
  });

  it('names the guard, the address and the variable that opens its range in the refusal', () => {
    expect(guard.refusal('10.0.0.5')).toBe(
      "SSRF guard: destination 10.0.0.5 is a private address; not allowed (to deliver there, add its range to the dispatcher's CARAVAN_SSRF_ALLOW_CIDRS, e.g. 10.0.0.5/32)",
    );
    expect(guard.refusal('::1')).toMatch(/CARAVAN_SSRF_ALLOW_CIDRS, e\.g\. ::1\/128\)$/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111'])(
    'allows public %s',
    (address) => {
      expect(guard.refusal(address)).toBeNull();
    },
  );

  it('opens allow-listed ranges only', () => {
    const open = new SsrfGuard(['127.0.0.0/8', '10.1.0.0/16']);
    expect(open.refusal('127.0.0.1')).toBeNull();
    expect(open.refusal('10.1.2.3')).toBeNull();
    expect(open.refusal('10.2.0.1')).toMatch(/private/);
    expect(open.refusal('::1')).toMatch(/loopback/);
  });

  it('rejects a malformed allow-list at construction', () => {
    expect(() => new SsrfGuard(['localhost/8'])).toThrow(/CARAVAN_SSRF_ALLOW_CIDRS/);
    expect(() => new SsrfGuard(['10.0.0.0/33'])).toThrow(/not a CIDR/);
  });

  it('checks IP-literal URLs and schemes before connecting', () => {
    expect(guard.refuseUrl('http://10.0.0.5/hook')).toMatch(/private/);
    expect(guard.refuseUrl('http://[::1]:8080/')).toMatch(/loopback/);
    expect(guard.refuseUrl('ftp://example.com/')).toMatch(/scheme ftp: is not allowed/);
    expect(guard.refuseUrl('https://example.com/hook')).toBeNull();
  });

  it('refuses through its DNS lookup when any resolved address is forbidden', async () => {
    const result = await new Promise<{
      error: Error | null;
      addresses: unknown;
    }>((resolve) => guard.lookup('localhost', { all: true }, (error, addresses) => resolve({ error, addresses })));
    expect(result.error?.message).toMatch(/loopback address; not allowed/);
    expect((result.error as { code?: string }).code).toBe('ERR_CARAVAN_SSRF');
  });

  it('answers the lookup in the form asked for when allowed', async () => {
    const open = new SsrfGuard(['127.0.0.0/8', '::1/128']);
    const all = await new Promise<LookupAddress[]>((resolve, reject) =>
      open.lookup('localhost', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses as LookupAddress[]),
      ),
    );
    expect(all.length).toBeGreaterThan(0);
    const single = await new Promise<[string, number | undefined]>((resolve, reject) =>
      open.lookup('localhost', {}, (error, address, family) =>
        error ? reject(error) : resolve([address as string, family]),
      ),
    );
    expect(['127.0.0.1', '::1']).toContain(single[0]);
  });
});
