import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import globalSetup from '../global-setup';

/**
 * The cluster pass: the run's database (once, whichever pass sets up first) and a 3-node Redis
 * Cluster on loopback, started or reused by scripts/redis-cluster.sh. Its node list reaches the test
 * files through the environment (cluster-env.ts turns it into REDIS_CLUSTER_NODES there only).
 */
export default async function clusterGlobalSetup() {
  await globalSetup();
  const script = join(__dirname, '..', '..', 'scripts', 'redis-cluster.sh');
  process.env.HOOKLINE_TEST_CLUSTER_NODES = execFileSync(script, { encoding: 'utf8' }).trim();
}
