import { randomBytes, randomUUID } from 'node:crypto';

/** EC2's current id format: a prefix and 17 lower-case hex digits. */
export function resourceId(prefix: 'i' | 'r' | 'lt' | 'ami' | 'subnet' | 'vpc'): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function requestId(): string {
  return randomUUID();
}
