import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does to one request. */
export type Fault =
  /** The connection is reset before the request reaches the server: nothing happened. */
  | 'reset-before'
  /** The server handled it, then the connection is reset: it happened, and the client cannot know. */
  | 'reset-after'
  /** An error status answered by the proxy itself (a load balancer's 502/503, Elasticsearch's 429). */
  | 'error'
  /** AWS's throttling answer in the service's own XML (HTTP 400 Throttling / RequestLimitExceeded). */
  | 'throttle';

export interface ChaosRule {
  /** Which requests: matched against "METHOD path action" (the AWS Action parameter, when there is one). */
  match: RegExp;
  fault: Fault;
  /** For 'error': the status (default 503). */
  status?: number;
  /** Share of matching requests hit, 0..1. */
  rate: number;
  /** How many requests at most; unlimited when absent. */
  times?: number;
}

export interface KillInCall {
  match: RegExp;
  /** The nth matching request (1-based) is the one. */
  nth: number;
  /** Called once the server has answered the request and before the answer reaches the client. */
  kill(): Promise<void>;
}

/**
 * A TCP-level troublemaker in front of a simulator, seen only by the bot: resets, error statuses, throttling,
 * and a worker SIGKILLed in the middle of a call (after the server acted, before the answer arrived). The
 * watcher talks to the simulators directly, so what it sees is not disturbed.
 */
export class ChaosProxy {
  rules: ChaosRule[] = [];
  killInCall?: KillInCall;
  readonly hits: Record<string, number> = {};
  private server = createServer((req, res) => void this.handle(req, res));
  private sockets = new Set<Socket>();
  private seen = 0;
  private random: () => number;
  url = '';

  constructor(
    private readonly upstream: string,
    random: () => number,
  ) {
    this.random = random;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private count(what: string) {
    this.hits[what] = (this.hits[what] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1] ?? '';
    const what = `${req.method} ${req.url} ${action}`;
    const rule = this.rules.find((r) => r.match.test(what) && (r.times === undefined || r.times > 0) && this.random() < r.rate);
    if (rule?.times !== undefined) rule.times--;
    if (rule) this.count(`${rule.fault}${rule.status ? ` ${rule.status}` : ''}`);
    if (rule?.fault === 'reset-before') return void req.socket.destroy();
    if (rule?.fault === 'error') return this.reply(res, rule.status ?? 503, 'text/plain', `${rule.status ?? 503} injected by the chaos proxy`);
    if (rule?.fault === 'throttle') return this.throttle(res, body.toString('utf8'));

    const kill = this.killInCall && this.killInCall.match.test(what) && ++this.seen === this.killInCall.nth ? this.killInCall : undefined;
    const answer = await this.forward(req, body).catch(() => undefined);
    if (kill) {
      this.count('kill-in-call');
      this.killInCall = undefined;
      await kill.kill();
      return void req.socket.destroy();
    }
    if (!answer || rule?.fault === 'reset-after') return void req.socket.destroy();
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const out = request(
      target,
      // The Host header stays as the client sent it: SigV4 signs it, so rewriting it would break every AWS call.
      { method: req.method, headers: req.headers }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers as Record<string, string | string[]>, body: Buffer.concat(parts) }));
        up.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  private reply(res: ServerResponse, status: number, type: string, text: string): void {
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  /** Auto Scaling (awsQuery, Version 2011-01-01) says Throttling; EC2 says RequestLimitExceeded, as AWS does. */
  private throttle(res: ServerResponse, body: string): void {
    const id = `chaos-${Math.floor(this.random() * 1e9)}`;
    const xml = body.includes('Version=2011-01-01')
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
    this.reply(res, 400, 'text/xml;charset=UTF-8', xml);
  }
}
