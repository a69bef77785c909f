/**
 * The door: only authenticated, well-formed, reasonably sized alerts are persisted, each exactly once, and
 * only then answered 2xx. No worker runs here, so the queue shows exactly what the door let in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spikeMatch, startAlertHarness, WEBHOOK_SECRET, type AlertHarness } from './alert-harness';

describe('Elastalert webhook intake', () => {
  let a: AlertHarness;
  beforeAll(async () => {
    a = await startAlertHarness({ startWorker: false, alerts: { maxBodyBytes: 4096 } });
  });
  afterAll(async () => a?.close());

  it('refuses a missing, wrong or near-miss secret with 401 and queues nothing', async () => {
    const body = spikeMatch(1);
    const tries: Record<string, string>[] = [{}, { 'x-elk-ops-secret': 'wrong' }, { 'x-elk-ops-secret': `${WEBHOOK_SECRET}x` }, { 'x-elk-ops-secret': WEBHOOK_SECRET.slice(0, -1) }, { authorization: 'Bearer nope' }];
    for (const headers of tries) {
      const r = await a.post('/elastalert/post', body, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error).toMatch(/http_post_headers/);
    }
    expect((await a.post('/elastalert/slack/wrong-token', { attachments: [{ title: 'x' }] }, {})).status).toBe(401);
    // The secret in the header does not open the Slack route: there it must be in the path.
    expect((await a.post('/elastalert/slack/x', { attachments: [{ title: 'x' }] })).status).toBe(401);
    expect(await a.queued()).toBe(0);
  });

  it('refuses malformed bodies with 400 and the reason, and queues nothing', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /not JSON/],
      ['', /empty/],
      [[1, 2], /JSON object/],
      [{ '@timestamp': '2024-01-01T10:00:00Z', Status: 503 }, /http_post_static_payload: \{rule_name/],
    ];
    for (const [body, reason] of cases) {
      const r = await a.post('/elastalert/post', body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(reason);
    }
    const s = await a.post(`/elastalert/slack/${WEBHOOK_SECRET}`, { text: '', attachments: 'nope' }, {});
    expect(s.status).toBe(400);
    expect(s.body.error).toMatch(/attachments must be an array/);
    expect(await a.queued()).toBe(0);
  });

  it('refuses an oversized body with 413 and an unknown route with 404, queueing nothing', async () => {
    const big = spikeMatch(1, { message: 'x'.repeat(5000) });
    const r = await a.post('/elastalert/post', big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/maxBodyBytes/);
    expect((await a.post('/elastalert/nope', spikeMatch(1))).status).toBe(404);
    expect((await a.post('/elastalert/post/extra', spikeMatch(1))).status).toBe(404);
    expect(await a.queued()).toBe(0);
  });

  it('persists an accepted alert before answering, and a retried POST is answered 200 but not queued again', async () => {
    const body = spikeMatch(7);
    const first = await a.post('/elastalert/post', body);
    expect(first.status).toBe(202);
    // Persisted when the answer arrives: the job is in Redis with the parsed alert.
    const job = await a.queue.getJob(first.body.id);
    expect(job?.data.alert).toMatchObject({ source: 'post', rule: 'Spike in 5xxs', index: 'logstash-2024.01.01', matchTs: Date.parse(body['@timestamp'] as string) });
    // Elastalert's retry: same match, keys in another order (Python dicts), via Bearer auth.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await a.post('/elastalert/post', reordered, { authorization: `Bearer ${WEBHOOK_SECRET}` });
    expect(retry).toMatchObject({ status: 200, body: { duplicate: true, id: first.body.id } });
    expect(await a.queued()).toBe(1);
    // A different match (one more second) is a different alert.
    expect((await a.post('/elastalert/post2', spikeMatch(8))).status).toBe(202);
    expect(await a.queued()).toBe(2);
  });

  it('accepts the Slack alerter\'s body with the secret in the path', async () => {
    const before = await a.queued();
    const slackBody = {
      username: 'elastalert',
      parse: 'none',
      text: '',
      channel: '',
      icon_emoji: ':ghost:',
      attachments: [{ color: 'danger', title: 'Spike in 5xxs', text: 'An abnormal number (6) of events occurred around 2024-01-01 10:27 UTC.\n\n@timestamp: 2024-01-01T10:27:00Z\nhost: api-1\n', mrkdwn_in: ['text', 'pretext'], fields: [] }],
    };
    const r = await a.post(`/elastalert/slack/${WEBHOOK_SECRET}?query_key=host`, slackBody, {});
    expect(r.status).toBe(202);
    const job = await a.queue.getJob(r.body.id);
    expect(job?.data.alert).toMatchObject({ source: 'slack', rule: 'Spike in 5xxs', queryKey: { field: 'host', value: 'api-1' }, matchTs: Date.parse('2024-01-01T10:27:00Z') });
    expect((await a.post(`/elastalert/slack/${WEBHOOK_SECRET}?query_key=host`, slackBody, {})).status).toBe(200);
    expect(await a.queued()).toBe(before + 1);
  });
});
