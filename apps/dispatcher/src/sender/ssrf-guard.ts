import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/** Ranges a webhook may not reach, most specific first; the label names the refusal. */
const FORBIDDEN: ReadonlyArray<{
  label: string;
  cidrs: ReadonlyArray<[string, number, Family]>;
}> = [
  {
    label: 'cloud metadata address',
    cidrs: [
      ['169.254.169.254', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ],
  },
  {
    label: 'loopback address',
    cidrs: [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  },
  {
    label: 'unspecified address',
    cidrs: [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  },
  {
    label: 'private address',
    cidrs: [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'], // CGNAT (RFC 6598)
      ['fc00::', 7, 'ipv6'], // ULA
    ],
  },
  {
    label: 'link-local address',
    cidrs: [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  },
  {
    label: 'multicast address',
    cidrs: [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  },
  {
    label: 'reserved address',
    cidrs: [
      ['240.0.0.0', 4, 'ipv4'], // includes 255.255.255.255
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
    ],
  },
];

const RULES = FORBIDDEN.map(({ label, cidrs }) => {
  const list = new BlockList();
  for (const [network, prefix, family] of cidrs) list.addSubnet(network, prefix, family);
  return { label, list };
});

/** Thrown (through the DNS lookup, or before connecting) when a destination is refused. */
export class SsrfRefusedError extends Error {
  readonly code = 'ERR_CARAVAN_SSRF';

  constructor(message: string) {
    super(message);
    this.name = 'SsrfRefusedError';
  }
}

/**
 * IPv4-mapped IPv6 (`::ffff:10.0.0.5`, `::ffff:a00:5`) is judged as the IPv4 address it
 * carries, so wrapping an address in IPv6 notation cannot smuggle it past the rules.
 */
function normalise(address: string): { address: string; family: Family } | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version !== 6) return null;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(bare) ?? /^::ffff:(.+)$/i.exec(bare);
  if (mapped?.[1]) {
    const tail = mapped[1];
    if (isIP(tail) === 4) return { address: tail, family: 'ipv4' };
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
    if (hex?.[1] && hex[2]) {
      const high = parseInt(hex[1], 16);
      const low = parseInt(hex[2], 16);
      return {
        address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`,
        family: 'ipv4',
      };
    }
  }
  return { address: bare.toLowerCase(), family: 'ipv6' };
}

/**
 * The dispatcher's SSRF guard (docs/architecture.md#the-delivery-state-machine): refuses loopback, private (RFC 1918, CGNAT,
 * ULA), link-local, metadata, unspecified, multicast and reserved destinations unless an
 * allow-listed CIDR covers them. It judges the addresses actually connected to: `lookup`
 * replaces DNS resolution for the HTTP client and validates EVERY resolved address, so a
 * rebinding answer cannot slip in between a check and the connect; IP-literal hosts (which
 * Node connects to without a lookup) are checked by `refuseUrl`.
 */
export class SsrfGuard {
  private readonly allowed = new BlockList();

  /** Throws on a malformed CIDR, so a bad allow-list stops the service at boot. */
  constructor(allowCidrs: readonly string[]) {
    for (const cidr of allowCidrs) {
      const [network, prefixText] = cidr.split('/');
      const prefix = Number(prefixText);
      const family = network ? isIP(network) : 0;
      if (!network || family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`CARAVAN_SSRF_ALLOW_CIDRS: "${cidr}" is not a CIDR`);
      }
      this.allowed.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why `address` may not be connected to, or null when it may. */
  refusal(address: string): string | null {
    const ip = normalise(address);
    if (!ip) return `destination ${address} is not an IP address; not allowed`;
    if (this.allowed.check(ip.address, ip.family)) return null;
    const rule = RULES.find(({ list }) => list.check(ip.address, ip.family));
    if (!rule) return null;
    // Worded for whoever reads the attempt: which guard refused, and the one setting that opens it.
    const single = `${ip.address}/${ip.family === 'ipv4' ? 32 : 128}`;
    return (
      `SSRF guard: destination ${ip.address} is a ${rule.label}; not allowed ` +
      `(to deliver there, add its range to the dispatcher's CARAVAN_SSRF_ALLOW_CIDRS, e.g. ${single})`
    );
  }

  /** Refusal of a URL before any connection: its scheme, and its host when that is an IP literal. */
  refuseUrl(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `endpoint URL ${JSON.stringify(url)} is not a valid URL`;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return `endpoint URL scheme ${parsed.protocol} is not allowed`;
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    return isIP(host) ? this.refusal(host) : null;
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
        callback(
          Object.assign(new Error(`no address for ${hostname}`), {
            code: 'ENOTFOUND',
          }),
          '',
        );
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
