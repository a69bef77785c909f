import { execFileSync } from 'node:child_process';
import { findRedisBinary, startRedis as startRedisWith, type RunningRedis } from '../../sim/sandbox/redis-server';

export { freePort, type RunningRedis } from '../../sim/sandbox/redis-server';

/** As the sandbox's, except that a fresh test machine gets Debian's redis-server installed first. */
export function startRedis(): Promise<RunningRedis> {
  let binary = findRedisBinary();
  if (!binary) {
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], { stdio: 'inherit' });
    binary = '/usr/bin/redis-server';
  }
  return startRedisWith(binary);
}
