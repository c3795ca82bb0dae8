import { lookup } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { ProblemException } from '@hookline/http-problem';
import { withTimeout } from '@hookline/timeout';
import { endpointAddressProblem } from './endpoint-url';

/** Registration must not hang on a slow resolver; an unanswered name is treated as unresolvable. */
const LOOKUP_TIMEOUT_MS = 2_000;

/** The docs/contract.md#security-and-limits registration check of a subscription URL, skipped when ALLOW_PRIVATE_NETWORKS is set. */
@Injectable()
export class EndpointPolicy {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws a 422 naming `url` when it points at a blocked network. */
  async assertAllowed(url: string): Promise<void> {
    if (this.config.ALLOW_PRIVATE_NETWORKS) return;
    const problem = await endpointAddressProblem(url, lookupHostAddresses);
    if (problem) throw ProblemException.invalid('url', problem);
  }
}

/** Every address the system resolver gives for a name (hosts file included), or none. */
export async function lookupHostAddresses(hostname: string, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<string[]> {
  const resolved = lookup(hostname, { all: true, verbatim: true }).then(
    (addresses) => addresses.map((entry) => entry.address),
    () => [],
  );
  return withTimeout(resolved, timeoutMs).catch(() => []);
}
