import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP, Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Cloud metadata and platform endpoints: refused even when an allow-listed range covers them
 * (opening a private subnet to reach a broker must not open the instance's credentials).
 * Most sit in ranges refused anyway; 168.63.129.16 (Azure's wire server) is public unicast.
 */
export const CLOUD_METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure IMDS, OpenStack, DigitalOcean, Oracle
  '169.254.170.2', // AWS ECS task metadata
  '169.254.170.23', // AWS EKS pod identity
  '169.254.169.123', // AWS time sync
  '169.254.169.253', // AWS VPC DNS
  '168.63.129.16', // Azure wire server
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS EKS pod identity over IPv6
];

/** ipaddr.js range names → the words a refusal uses. Unlisted names read "<name> range". */
const RANGE_LABELS: Record<string, string> = {
  loopback: 'loopback address',
  private: 'private address',
  carrierGradeNat: 'private address',
  uniqueLocal: 'private address',
  deprecatedSiteLocal: 'site-local address',
  linkLocal: 'link-local address',
  unspecified: 'unspecified address',
  multicast: 'multicast address',
  broadcast: 'reserved address',
  reserved: 'reserved address',
  benchmarking: 'reserved address',
};

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const METADATA = CLOUD_METADATA_ADDRESSES.map((text) => ipaddr.parse(text).toNormalizedString());

/** The IPv4 address an IPv6 transition form carries, with the form's name; null for other IPv6. */
function embeddedIPv4(ip: ipaddr.IPv6): { ipv4: ipaddr.IPv4; form: string } | null {
  const p = ip.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 255, low >> 8, low & 255]);
  switch (ip.range()) {
    case 'ipv4Mapped':
      return { ipv4: ip.toIPv4Address(), form: 'IPv4-mapped' };
    case 'rfc6145':
      return { ipv4: v4(p[6] ?? 0, p[7] ?? 0), form: 'SIIT' };
    case 'rfc6052':
      return { ipv4: v4(p[6] ?? 0, p[7] ?? 0), form: 'NAT64' };
    case '6to4':
      return { ipv4: v4(p[1] ?? 0, p[2] ?? 0), form: '6to4' };
    case 'teredo':
      // The client address is stored inverted (RFC 4380).
      return { ipv4: v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff), form: 'Teredo' };
    default:
      // IPv4-compatible (::a.b.c.d, deprecated): the upper 96 bits are zero.
      if (p.slice(0, 6).every((part) => part === 0) && ((p[6] ?? 0) !== 0 || (p[7] ?? 0) > 1)) {
        return { ipv4: v4(p[6] ?? 0, p[7] ?? 0), form: 'IPv4-compatible' };
      }
      return null;
  }
}

/** The NAT64 local-use prefix 64:ff9b:1::/48 is translated by a local gateway: never public. */
function isLocalNat64(ip: ipaddr.IPv6): boolean {
  return ip.match(ipaddr.IPv6.parse('64:ff9b:1::'), 48);
}

/** Thrown (through the DNS lookup, or before connecting) when a destination is refused. */
export class SsrfRefusedError extends Error {
  readonly code = 'ERR_CARAVAN_SSRF';

  constructor(message: string) {
    super(message);
    this.name = 'SsrfRefusedError';
  }
}

/**
 * The SSRF guard of the dispatcher and the ingester: refuses every address that is not
 * public unicast (ipaddr.js's range classification: loopback, private, CGNAT, ULA, link-local,
 * site-local, unspecified, multicast, reserved, documentation...), IPv6 forms that carry a
 * refused IPv4 address (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4, Teredo), and the
 * cloud metadata addresses, unless an allow-listed CIDR covers the address (metadata never).
 * It judges the addresses actually connected to: `lookup` replaces DNS resolution for the
 * client and validates EVERY resolved address, so a rebinding answer cannot slip in between a
 * check and the connect; IP-literal hosts (which Node connects to without a lookup) are
 * checked by `refuseHost`/`refuseUrl`.
 */
export class SsrfGuard {
  private readonly allowed: Array<[Address, number]> = [];
  private readonly setting: string;

  /**
   * Throws on a malformed CIDR, so a bad allow-list stops the service at boot; `setting`
   * names the variable the list came from.
   */
  constructor(allowCidrs: readonly string[], setting = 'CARAVAN_SSRF_ALLOW_CIDRS') {
    this.setting = setting;
    for (const cidr of allowCidrs) {
      const [network, prefixText] = cidr.split('/');
      if (!network || isIP(network) === 0 || !/^\d{1,3}$/.test(prefixText ?? '')) {
        throw new Error(`${setting}: "${cidr}" is not a CIDR`);
      }
      try {
        this.allowed.push(ipaddr.parseCIDR(cidr));
      } catch {
        throw new Error(`${setting}: "${cidr}" is not a CIDR`);
      }
    }
  }

  /** Why `address` may not be connected to, or null when it may. */
  refusal(address: string): string | null {
    const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    if (!ipaddr.isValid(bare) || isIP(bare) === 0) return `destination ${address} is not an IP address; not allowed`;
    const ip = ipaddr.parse(bare);
    const embedded = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : null;
    const judged: Address = embedded?.ipv4 ?? ip;
    const shown = judged.toString();
    if (METADATA.includes(ip.toNormalizedString()) || METADATA.includes(judged.toNormalizedString())) {
      return `destination ${shown} is a cloud metadata address; not allowed`;
    }
    if (this.isAllowed(ip) || (embedded && this.isAllowed(embedded.ipv4))) return null;
    if (ip.kind() === 'ipv6' && isLocalNat64(ip as ipaddr.IPv6)) {
      return `destination ${shown} is a local-use NAT64 address; not allowed`;
    }
    const range = judged.range();
    if (range === 'unicast') return null;
    const label = RANGE_LABELS[range] ?? `${range} range address`;
    const via = embedded && embedded.form !== 'IPv4-mapped' ? ` (carried in the ${embedded.form} address ${bare})` : '';
    // Worded for whoever reads the attempt: which guard refused, and the one setting that opens it.
    const single = `${shown}/${judged.kind() === 'ipv4' ? 32 : 128}`;
    return (
      `SSRF guard: destination ${shown} is a ${label}${via}; not allowed ` +
      `(to allow it, add its range to ${this.setting}, e.g. ${single})`
    );
  }

  /** Refusal of a host before connecting: only an IP literal can be judged without a lookup. */
  refuseHost(host: string): string | null {
    const bare = host.replace(/^\[|\]$/g, '');
    return isIP(bare) ? this.refusal(bare) : null;
  }

  /** Refusal of a URL before any connection: its scheme, and its host when that is an IP literal. */
  refuseUrl(url: string, schemes: readonly string[] = ['http:', 'https:']): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `endpoint URL ${JSON.stringify(url)} is not a valid URL`;
    }
    if (!schemes.includes(parsed.protocol)) {
      return `endpoint URL scheme ${parsed.protocol} is not allowed`;
    }
    return this.refuseHost(parsed.hostname);
  }

  /**
   * Options for `net.connect`/`tls.connect` (or an http(s) Agent) that dial only allowed
   * addresses: names resolve through `lookup`; an IP literal is judged here. Returns the
   * refusal instead when the literal is refused.
   */
  connectOptions<T extends { host?: string | null }>(options: T): (T & { lookup: SsrfGuard['lookup'] }) | string {
    const refusal = options.host ? this.refuseHost(options.host) : null;
    return refusal ?? { ...options, lookup: this.lookup };
  }

  /**
   * A socket that fails with the refusal on the next tick: for client libraries whose socket
   * factory must return a socket (they report its 'error' like any connection failure).
   */
  static refusedSocket(refusal: string): Socket {
    const socket = new Socket();
    process.nextTick(() => socket.destroy(new SsrfRefusedError(refusal)));
    return socket;
  }

  private isAllowed(ip: Address): boolean {
    return this.allowed.some(([network, prefix]) => ip.kind() === network.kind() && ip.match(network, prefix));
  }

  /** A drop-in for `dns.lookup` (got's `dnsLookup`): resolves every address, refuses if any is forbidden. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      for (const { address } of addresses) {
        const refusal = this.refusal(address);
        if (refusal) {
          callback(new SsrfRefusedError(refusal), '');
          return;
        }
      }
      if (options.all) {
        callback(null, addresses);
        return;
      }
      const first = addresses[0];
      if (!first) {
        callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
