import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { blockedAddressReason } from '@hookline/network-policy';
import { BlockedAddressError } from './delivery-errors';

export interface GuardedConnectorOptions {
  connectTimeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Resolver to guard; node:dns lookup unless a test supplies its own. */
  lookup?: LookupFunction;
}

/**
 * An undici connector that enforces docs/contract.md#security-and-limits on the address actually connected to: DNS answers are
 * filtered at connect time (so a rebinding DNS server cannot slip a private address in after a
 * check), and IP-literal hosts, which net.connect never looks up, are judged before connecting.
 */
export function guardedConnector({ connectTimeoutMs, allowPrivateNetworks, lookup = dnsLookup as LookupFunction }: GuardedConnectorOptions): buildConnector.connector {
  if (allowPrivateNetworks) return buildConnector({ timeout: connectTimeoutMs, lookup });
  const connect = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(lookup) });
  return (options, callback) => {
    if (isIP(options.hostname)) {
      const reason = blockedAddressReason(options.hostname);
      if (reason !== null) return callback(new BlockedAddressError(options.hostname, reason), null);
    }
    connect(options, callback);
  };
}

/**
 * Resolves every address, drops the blocked ones and answers in the shape net asked for (a list
 * when happy eyeballs asks for `all`). Fails only when no allowed address is left.
 */
export function guardedLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, answer) => {
      if (error) return callback(error, '');
      const addresses = answer as LookupAddress[];
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      const allowed = addresses.filter((a) => blockedAddressReason(a.address) === null);
      if (allowed.length === 0) {
        const first = addresses[0].address;
        return callback(new BlockedAddressError(first, blockedAddressReason(first) as string), '');
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
