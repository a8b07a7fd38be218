import { lookup } from "node:dns/promises";
import dns from "node:dns";
import net from "node:net";

/**
 * Where webhooks may be sent: public addresses only, so that an administrator cannot make the
 * server send requests into its own network (its database, a cloud's metadata service, a
 * neighbour on the LAN). Checked when an endpoint is created or changed, and again at every
 * delivery, on the addresses the connection actually uses (a name that later resolves to a
 * private address is refused then). `allowPrivate` (WEBHOOK_ALLOW_PRIVATE) lifts it, for tests and
 * on-premise receivers.
 */

/** A URL or an address a webhook may not be sent to; the message says why, for the administrator. */
export class AddressRefused extends Error {}

const PRIVATE_V4 = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // shared address space (carrier-grade NAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relays
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  PRIVATE_V4.addSubnet(network, prefix, "ipv4");
}

/** Global unicast IPv6 (2000::/3): the only IPv6 a webhook may go to, less the ranges below. */
const GLOBAL_V6 = new net.BlockList();
GLOBAL_V6.addSubnet("2000::", 3, "ipv6");

const RESERVED_V6 = new net.BlockList();
for (const [network, prefix] of [
  ["2001::", 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID...
  ["2001:db8::", 32], // documentation
  ["3fff::", 20], // documentation (2024)
] as const) {
  RESERVED_V6.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::, 6to4 2002::), if any. */
function embeddedV4(address: string): string | undefined {
  const groups = expandV6(address);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zero(0, 5) && groups[5] === 0xffff) return v4(groups[6], groups[7]);
  if (zero(0, 4) && groups[4] === 0xffff && groups[5] === 0) return v4(groups[6], groups[7]); // IPv4-translated (::ffff:0:0/96)
  if (zero(0, 6) && (groups[6] !== 0 || groups[7] > 1)) return v4(groups[6], groups[7]); // IPv4-compatible (deprecated)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)) return v4(groups[6], groups[7]);
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function expandV6(address: string): number[] | undefined {
  let text = address.split("%")[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1].split(".").map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const split = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = split(head);
  const right = split(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Whether a webhook may be sent to this IP address. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !PRIVATE_V4.check(address, "ipv4");
  if (family !== 6) return false;
  // IPv4 carried in IPv6 (mapped, translated, compatible, NAT64, 6to4) is judged by its IPv4.
  const v4 = embeddedV4(address);
  if (v4 !== undefined) return isPublicAddress(v4);
  // Everything outside global unicast (loopback, unspecified, unique-local, link-local, multicast,
  // NAT64 local use, reserved) is refused, and so are the reserved ranges inside it.
  const bare = address.split("%")[0];
  return GLOBAL_V6.check(bare, "ipv6") && !RESERVED_V6.check(bare, "ipv6");
}

/** The host of a URL as an IP literal (IPv6 without its brackets), or undefined for a name. */
function literalOf(hostname: string): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return net.isIP(bare) ? bare : undefined;
}

export const MAX_URL_LENGTH = 2048;

/**
 * Checks that `raw` is an http(s) URL whose host is a public address, or a name whose every
 * address is public (one private address is enough to refuse: the connection could use it).
 * Returns the URL as it will be used.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  if (raw.length > MAX_URL_LENGTH) throw new AddressRefused(`url must be at most ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AddressRefused("url must be an absolute http:// or https:// URL.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new AddressRefused("url must be an http:// or https:// URL.");
  if (url.hash || raw.includes("#")) throw new AddressRefused("url may not have a #fragment.");
  if (url.port === "0") throw new AddressRefused("url's port must be 1 to 65535.");
  // The length of the URL as it is stored and sent (normalised: percent-encoded, punycode).
  if (url.href.length > MAX_URL_LENGTH) throw new AddressRefused(`url must be at most ${MAX_URL_LENGTH} characters once normalised.`);
  if (allowPrivate) return url;
  const literal = literalOf(url.hostname);
  if (literal !== undefined) {
    if (!isPublicAddress(literal))
      throw new AddressRefused(`url's address ${literal} is loopback, private or reserved: webhooks go to public addresses.`);
    return url;
  }
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(url.hostname, { all: true, verbatim: true });
  } catch {
    throw new AddressRefused(`url's host ${url.hostname} could not be resolved.`);
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (refused) {
    throw new AddressRefused(
      `url's host ${url.hostname} resolves to ${refused.address}, loopback, private or reserved: webhooks go to public addresses.`,
    );
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * The name lookup of a delivery's connection: the system's, refusing the connection when any
 * address the name resolves to is not public (unless `allowPrivate`). Given to http.request, so
 * the address checked is the address connected to.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (refused) {
        const denied = Object.assign(new AddressRefused(`${hostname} resolves to ${refused.address}, loopback, private or reserved`), {
          code: "EADDRREFUSED",
        });
        return callback(denied, []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}
