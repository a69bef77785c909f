/**
 * Slack's Socket Mode, as an app sees it: `apps.connections.open` (an app-level `xapp-` token) answers a
 * one-use `wss://…/link/?ticket=…` URL; the socket opens with a `hello`; every delivery is an envelope
 * `{envelope_id, type: "slash_commands" | "interactive", payload, accepts_response_payload}` that the app acks
 * with `{envelope_id, payload?}` within 3 seconds, the payload standing for what an HTTP app puts in its
 * response body. Slack pings the socket every few seconds (the SDK drops a socket that goes 30 s unpinged).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

const PING_EVERY_MS = 5_000;

export interface SocketAck {
  acked: boolean;
  /** The ack's payload, the app's answer; undefined when it sent none. */
  body: unknown;
  elapsedMs: number;
}

export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiting = new Map<string, (body: unknown) => void>();
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly appId: string,
    private readonly baseUrl: () => string,
  ) {
    this.pinger = setInterval(() => {
      for (const s of this.sockets) s.ping(`ping-${Date.now()}`);
    }, PING_EVERY_MS);
    this.pinger.unref();
  }

  /** apps.connections.open: a URL good for one connection. */
  openUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Takes the HTTP server's upgrade requests for /link/; returns false for anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== '/link/') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    return true;
  }

  get connected(): boolean {
    return this.sockets.size > 0;
  }

  /** Sends one envelope to one connected socket and waits for its ack. */
  deliver(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>, timeoutMs: number): Promise<SocketAck> {
    const socket = [...this.sockets][Math.floor(Math.random() * this.sockets.size)];
    const started = performance.now();
    if (!socket) return Promise.resolve({ acked: false, body: undefined, elapsedMs: 0 });
    const envelopeId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        resolve({ acked: false, body: undefined, elapsedMs: performance.now() - started });
      }, timeoutMs);
      this.waiting.set(envelopeId, (body) => {
        clearTimeout(timer);
        resolve({ acked: true, body, elapsedMs: performance.now() - started });
      });
      socket.send(JSON.stringify({ envelope_id: envelopeId, payload, type, accepts_response_payload: type === 'slash_commands' }));
    });
  }

  close(): void {
    clearInterval(this.pinger);
    for (const s of this.sockets) s.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      const waiter = msg.envelope_id ? this.waiting.get(msg.envelope_id) : undefined;
      if (!waiter) return;
      this.waiting.delete(msg.envelope_id!);
      waiter(msg.payload);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-emulator', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }
}
