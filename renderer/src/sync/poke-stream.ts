import { createParser } from "eventsource-parser";
import { SyncHttpError, type CentralTarget } from "./central-request";
import { backoffDelay } from "./sync-scheduler";

/**
 * The dock's end of central's change pokes (GET /sync/poke, Server-Sent Events): central says
 * "something changed for your facility" and the dock pulls at once instead of at its next 5 s
 * poll. The browser's EventSource cannot send the Authorization header, and the token must not
 * ride in the URL (URLs land in logs), so the stream is read with fetch and a body reader and
 * parsed by eventsource-parser (a well-kept SSE parser; the wire format has enough corner
 * cases, split chunks, CRLF, comments, not to hand-write). It reconnects with the sync
 * backoff, and gives up on a silent connection after `idleMs` (central comments every 25 s).
 * The poll stays: a poke only makes a pull sooner, a lost one loses nothing.
 */
export interface PokeStreamOptions {
  target: CentralTarget;
  path: string;
  onPoke: () => void;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  /** No byte for this long: the connection is taken as dead and opened again. */
  idleMs?: number;
}

export class PokeStream {
  private running = false;
  private abort: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;

  constructor(private readonly o: PokeStreamOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.abort = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async connect(): Promise<void> {
    const ac = new AbortController();
    this.abort = ac;
    let idle: ReturnType<typeof setTimeout> | null = null;
    const alive = () => {
      if (idle !== null) clearTimeout(idle);
      idle = setTimeout(() => ac.abort(), this.o.idleMs ?? 60_000);
    };
    try {
      const headers: Record<string, string> = { accept: "text/event-stream" };
      const token = this.o.target.token;
      if (token !== null && token !== undefined) headers.authorization = `Bearer ${token}`;
      alive();
      const res = await this.o.target.fetch(new URL(this.o.path, this.o.target.baseUrl).toString(), {
        headers,
        signal: ac.signal,
        cache: "no-store",
      });
      if (!res.ok || res.body === null) {
        await res.body?.cancel().catch(() => undefined);
        throw new SyncHttpError(res.status, res.statusText);
      }
      const parser = createParser({
        onEvent: (e) => {
          if (e.event === "poke") this.o.onPoke();
        },
      });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let first = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        if (first) {
          // Central answered with a stream: the backoff starts over.
          this.failures = 0;
          first = false;
        }
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Offline, refused, aborted or cut: tried again below, with backoff.
    } finally {
      if (idle !== null) clearTimeout(idle);
    }
    if (!this.running || this.abort !== ac) return;
    this.failures++;
    const delay = backoffDelay(this.failures, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) void this.connect();
    }, delay);
  }
}
