/**
 * Where webhooks may send. By default any http(s) host is allowed, loopback and private
 * networks included (a receiver beside the server, and the tests' loopback receiver). With
 * `XQC_WEBHOOK_DENY_PRIVATE=1` a webhook whose host is, or resolves to, a private, loopback,
 * link-local, unspecified or shared (carrier-grade NAT) address is refused: at creation (400
 * XQC_WEBHOOK_PRIVATE) and again before every delivery (the name may resolve elsewhere by
 * then; the attempt is logged as failed). The check resolves the name itself and fetch
 * resolves it again, so a DNS server that answers differently within that instant is not
 * caught; a deployment that must exclude that routes webhooks through an egress proxy.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { badRequest } from '../errors/api-error.ts';

/** Resolves a host name to all its addresses. */
export type HostLookup = (host: string) => Promise<string[]>;

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Egress policy of the webhook service. */
export interface WebhookEgress {
  /** Refuse private, loopback and link-local targets (XQC_WEBHOOK_DENY_PRIVATE=1). */
  denyPrivate: boolean;
  /** Name resolution (default: the system resolver). */
  lookup?: HostLookup;
}

function ipv4Private(a: number, b: number): boolean {
  return (
    a === 0 || // 0.0.0.0/8 "this network"
    a === 10 || // 10/8
    a === 127 || // loopback
    (a === 100 && b >= 64 && b <= 127) || // 100.64/10 shared address space
    (a === 169 && b === 254) || // link-local
    (a === 172 && b >= 16 && b <= 31) || // 172.16/12
    (a === 192 && b === 168) // 192.168/16
  );
}

/** True for a private (RFC 1918, fc00::/7), loopback, link-local, unspecified or shared IPv4/IPv6 address. */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) {
    const [a, b] = address.split('.').map(Number);
    return ipv4Private(a, b);
  }
  if (v !== 6) return false;
  const ip = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return isPrivateAddress(mapped[1]);
  if (ip === '::' || ip === '::1') return true;
  const first = parseInt(ip.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/**
 * Checks `url`'s host against the policy.
 * @throws 400 XQC_WEBHOOK_PRIVATE when denied (or when the name does not resolve)
 */
export async function checkEgress(url: string, egress: WebhookEgress): Promise<void> {
  if (!egress.denyPrivate) return;
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (egress.lookup ?? systemLookup)(host);
    } catch (e) {
      throw badRequest('XQC_WEBHOOK_PRIVATE', `url: host '${host}' does not resolve (${e instanceof Error ? e.message : String(e)}); private targets are refused, so the host must resolve`);
    }
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad !== undefined || addresses.length === 0) {
    throw badRequest('XQC_WEBHOOK_PRIVATE', `url: host '${host}' is ${bad === undefined ? 'not resolvable' : `at ${bad}`}, a private, loopback or link-local address; this server refuses such webhook targets (XQC_WEBHOOK_DENY_PRIVATE=1)`);
  }
}
