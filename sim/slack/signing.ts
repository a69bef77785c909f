import { createHmac } from 'node:crypto';

/**
 * How a delivery is signed. `forged` signs with the wrong secret; `stale` signs correctly but with a timestamp
 * ten minutes old, past the five minutes Slack's SDKs accept. Both exist so tests can prove the bot refuses them.
 */
export type SignatureMode = 'valid' | 'forged' | 'stale';

const STALE_BY_SEC = 10 * 60;

/** `v0=` + hex HMAC-SHA256(signingSecret, `v0:${timestamp}:${rawBody}`), exactly Slack's v0 scheme. */
export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export function signedHeaders(signingSecret: string, rawBody: string, mode: SignatureMode = 'valid'): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = mode === 'stale' ? now - STALE_BY_SEC : now;
  const secret = mode === 'forged' ? `${signingSecret}-forged` : signingSecret;
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, rawBody),
  };
}
