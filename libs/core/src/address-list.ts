import { timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";

/**
 * A list of client addresses from configuration (`TRUSTED_PROXIES`, `METRICS_ALLOW`): comma-separated
 * IPv4/IPv6 addresses, CIDR ranges, or `loopback`; empty or `none` matches nothing. Built on Node's
 * BlockList, which also matches IPv4-mapped IPv6 forms (`::ffff:127.0.0.1`) as the sockets report them.
 */
export type AddressList = { readonly entries: readonly string[]; contains(address: string | undefined | null): boolean };

const NAMED: Record<string, [string, number, "ipv4" | "ipv6"][]> = {
  loopback: [
    ["127.0.0.0", 8, "ipv4"],
    ["::1", 128, "ipv6"],
  ],
};

export function parseAddressList(spec: string): AddressList {
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s.toLowerCase() !== "none");
  const list = new BlockList();
  for (const entry of entries) {
    const named = NAMED[entry.toLowerCase()];
    if (named) {
      for (const [net, prefix, type] of named) list.addSubnet(net, prefix, type);
      continue;
    }
    const [address = "", prefixText, ...rest] = entry.split("/");
    const version = isIP(address);
    if (!version || rest.length) throw new Error(`'${entry}' is not an IP address, CIDR range or 'loopback'`);
    const type = version === 4 ? "ipv4" : "ipv6";
    if (prefixText === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) throw new Error(`'${entry}' has an invalid prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return {
    entries,
    contains(address) {
      if (!address) return false;
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * Access rule for operational endpoints such as /metrics: a client address in `allow`, or the configured
 * bearer token (compared in constant time). With neither configured, only loopback should be allowed.
 */
export function operatorRequestAllowed(
  opts: { allow: AddressList; token?: string | undefined },
  clientIp: string | undefined,
  authorization: string | undefined,
): boolean {
  if (opts.allow.contains(clientIp)) return true;
  if (!opts.token || !authorization) return false;
  const given = Buffer.from(authorization.replace(/^Bearer\s+/i, ""));
  const expected = Buffer.from(opts.token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
