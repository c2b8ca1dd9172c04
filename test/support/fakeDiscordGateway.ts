// The fake Discord's gateway: v10 JSON over WebSocket with HELLO, IDENTIFY, READY, heartbeats, RESUME and replay.
import type { WebSocket, WebSocketServer } from 'ws';
import { nextSnowflake } from './fakeDiscordPayloads.ts';

interface Session {
  id: string;
  seq: number;
  log: Array<{ s: number; t: string; d: unknown }>;
  socket: WebSocket | null;
}

export interface GatewayOptions {
  token: string;
  heartbeatMs: number;
  /** Where RESUME should go (READY's resume_gateway_url). */
  url: () => string;
  /** The READY payload (without session_id and resume_gateway_url) and the dispatches after it. */
  hello: () => { ready: Record<string, unknown>; after: Array<[string, unknown]> };
}

export class FakeGateway {
  /** Opcodes received from the client, in order (IDENTIFY, RESUME, heartbeats...). */
  readonly received: Array<{ op: number; d: any }> = [];
  /** Overlap for the next RESUME: replay this many already-sent events again (at-least-once redelivery). */
  resumeOverlap = 0;
  /** Reject the next RESUME with INVALID_SESSION(false). */
  refuseNextResume = false;
  identifies = 0;
  resumes = 0;
  private session: Session | null = null;
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly o: GatewayOptions) {}

  attach(wss: WebSocketServer): void {
    wss.on('connection', (ws) => this.onSocket(ws));
  }

  close(): void {
    for (const s of this.sockets) s.terminate();
  }

  /** The current session's last sequence number (0 without a session). */
  get seq(): number {
    return this.session?.seq ?? 0;
  }

  get open(): boolean {
    return Boolean(this.session?.socket && this.session.socket.readyState === 1);
  }

  get hasSession(): boolean {
    return this.session !== null;
  }

  /** Sends a dispatch on the current session (logged for resume replay even when no socket is open). */
  dispatch(t: string, d: unknown): number {
    const session = this.session;
    if (!session) throw new Error('no gateway session: is the client logged in?');
    const s = ++session.seq;
    session.log.push({ s, t, d });
    if (session.socket && session.socket.readyState === 1) session.socket.send(JSON.stringify({ op: 0, t, s, d }));
    return s;
  }

  /** Closes the socket: with a close code (4000 = resumable unknown error), or abruptly. */
  drop(code?: number): void {
    const socket = this.session?.socket;
    if (!socket || !this.session) return;
    this.session.socket = null;
    if (code === undefined) socket.terminate();
    else socket.close(code, 'fake discord closed the connection');
  }

  /** Sends op 9 INVALID_SESSION on the open socket; a non-resumable one ends the session. */
  invalidate(resumable: boolean): void {
    const socket = this.session?.socket;
    if (!socket) return;
    if (!resumable) this.session = null;
    socket.send(JSON.stringify({ op: 9, d: resumable }));
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (this.session?.socket === ws) this.session.socket = null;
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.o.heartbeatMs } }));
    ws.on('message', (raw) => {
      let msg: { op: number; d: any };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'decode error');
        return;
      }
      this.received.push(msg);
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11 }));
      else if (msg.op === 2) this.onIdentify(ws, msg.d);
      else if (msg.op === 6) this.onResume(ws, msg.d);
    });
  }

  private onIdentify(ws: WebSocket, d: any): void {
    if (d?.token !== this.o.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.identifies++;
    this.session = { id: `session-${nextSnowflake()}`, seq: 0, log: [], socket: ws };
    const { ready, after } = this.o.hello();
    this.dispatch('READY', { ...ready, session_id: this.session.id, resume_gateway_url: this.o.url() });
    for (const [t, payload] of after) this.dispatch(t, payload);
  }

  private onResume(ws: WebSocket, d: any): void {
    const session = this.session;
    if (!session || d?.session_id !== session.id || d?.token !== this.o.token || this.refuseNextResume) {
      this.refuseNextResume = false;
      this.session = null;
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    this.resumes++;
    session.socket = ws;
    const from = Math.max(0, Number(d.seq ?? 0) - this.resumeOverlap);
    this.resumeOverlap = 0;
    for (const e of session.log) {
      if (e.s > from) ws.send(JSON.stringify({ op: 0, t: e.t, s: e.s, d: e.d }));
    }
    const s = ++session.seq;
    session.log.push({ s, t: 'RESUMED', d: {} });
    ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s, d: {} }));
  }
}
