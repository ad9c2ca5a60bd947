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
    // IPv6 transition forms carrying a refused IPv4 address
    ['64:ff9b::7f00:1', 'loopback address \\(carried in the NAT64'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata address'],
    ['64:ff9b::10.0.0.1', 'private address \\(carried in the NAT64'],
    ['64:ff9b:1::808:808', 'local-use NAT64 address'],
    ['2002:7f00:1::', 'loopback address \\(carried in the 6to4'],
    ['2002:a00:1::1', 'private address \\(carried in the 6to4'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private address \\(carried in the Teredo'],
    ['::127.0.0.1', 'loopback address'],
    ['::7f00:1', 'loopback address \\(carried in the IPv4-compatible'],
    ['::a00:1', 'private address \\(carried in the IPv4-compatible'],
    ['::ffff:0:7f00:1', 'loopback address \\(carried in the SIIT'],
    ['::ffff:0:192.168.0.1', 'private address \\(carried in the SIIT'],
    ['fec0::1', 'site-local address'],
    ['2001:db8::1', 'reserved address'],
    ['192.0.2.1', 'reserved address'],
    ['198.51.100.7', 'reserved address'],
    ['100::1', 'discard range address'],
    // cloud metadata beyond 169.254.169.254
    ['168.63.129.16', 'cloud metadata address'],
    ['169.254.170.2', 'cloud metadata address'],
    ['100.100.100.200', 'cloud metadata address'],
    ['fd00:ec2::23', 'cloud metadata address'],
    ['::ffff:168.63.129.16', 'cloud metadata address'],
  ])('refuses %s as a %s', (address, label) => {
    expect(guard.refusal(address)).toMatch(new RegExp(`is a ${label}[^;]*; not allowed`));
  });

  it('names the guard, the address and the variable that opens its range in the refusal', () => {
    expect(guard.refusal('10.0.0.5')).toBe(
      'SSRF guard: destination 10.0.0.5 is a private address; not allowed (to allow it, add its range to CARAVAN_SSRF_ALLOW_CIDRS, e.g. 10.0.0.5/32)',
    );
    expect(guard.refusal('::1')).toMatch(/CARAVAN_SSRF_ALLOW_CIDRS, e\.g\. ::1\/128\)$/);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '64:ff9b::808:808', // NAT64 of a public address
    '2002:808:808::1', // 6to4 of a public address
    '::ffff:8.8.8.8',
  ])('allows public %s', (address) => {
    expect(guard.refusal(address)).toBeNull();
  });

  it('opens allow-listed ranges only', () => {
    const open = new SsrfGuard(['127.0.0.0/8', '10.1.0.0/16']);
    expect(open.refusal('127.0.0.1')).toBeNull();
    expect(open.refusal('10.1.2.3')).toBeNull();
    expect(open.refusal('10.2.0.1')).toMatch(/private/);
    expect(open.refusal('::1')).toMatch(/loopback/);
    expect(open.refusal('::ffff:127.0.0.1')).toBeNull();
  });

  it('never opens a cloud metadata address, even inside an allow-listed range', () => {
    const open = new SsrfGuard(['169.254.0.0/16', '168.63.0.0/16']);
    expect(open.refusal('169.254.10.10')).toBeNull();
    expect(open.refusal('169.254.169.254')).toMatch(/cloud metadata address/);
    expect(open.refusal('168.63.129.16')).toMatch(/cloud metadata address/);
  });

  it('rejects a malformed allow-list at construction', () => {
    expect(() => new SsrfGuard(['localhost/8'])).toThrow(/CARAVAN_SSRF_ALLOW_CIDRS/);
    expect(() => new SsrfGuard(['10.0.0.0/33'])).toThrow(/not a CIDR/);
    expect(() => new SsrfGuard(['10.0.0.0'], 'CARAVAN_INGESTER_BROKER_ALLOW_CIDRS')).toThrow(
      /^CARAVAN_INGESTER_BROKER_ALLOW_CIDRS: "10.0.0.0" is not a CIDR$/,
    );
  });

  it('checks IP-literal URLs and schemes before connecting', () => {
    expect(guard.refuseUrl('http://10.0.0.5/hook')).toMatch(/private/);
    expect(guard.refuseUrl('http://[::1]:8080/')).toMatch(/loopback/);
    expect(guard.refuseUrl('ftp://example.com/')).toMatch(/scheme ftp: is not allowed/);
    expect(guard.refuseUrl('https://example.com/hook')).toBeNull();
    expect(guard.refuseUrl('http://[64:ff9b::a00:1]/')).toMatch(/private address/);
  });

  it('gives connect options that resolve through the guard, or the refusal of an IP literal', () => {
    expect(guard.connectOptions({ host: '10.0.0.5', port: 5672 })).toMatch(/private address/);
    const options = guard.connectOptions({ host: 'broker.example', port: 5672 });
    expect(typeof options).toBe('object');
    expect((options as { lookup: unknown }).lookup).toBe(guard.lookup);
  });

  it('makes a socket that fails with the refusal', async () => {
    const socket = SsrfGuard.refusedSocket('destination 10.0.0.5 is a private address; not allowed');
    const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
    expect(error.message).toMatch(/private address/);
    expect((error as { code?: string }).code).toBe('ERR_CARAVAN_SSRF');
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
