import { ReplyError } from 'ioredis';

/**
 * An error Redis itself answered (READONLY from a demoted primary after a failover, OOM, LOADING, MASTERDOWN…),
 * or ioredis giving up on a command. It says nothing about the cluster or the job: only that the worker cannot
 * save state or prove it still owns the job.
 */
export function isRedisError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const reply = ReplyError as new (...args: unknown[]) => object;
  return err instanceof reply || err.name === 'ReplyError' || err.name === 'MaxRetriesPerRequestError';
}

/** Redis's own words, without the BullMQ script hash and line it appends ("… script: <sha>, on @user_script:14."). */
export function redisErrorText(err: Error): string {
  return err.message.replace(/\s*script: [0-9a-f]{40}, on @user_script:\d+\.?$/, '').trim();
}
