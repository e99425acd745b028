import {
  BRIDGE_PROTOCOL_VERSION,
  BridgeError,
  bridgeErrorFromBody,
  bridgeRequests,
  describeZodError,
  type BridgeArgs,
  type BridgeChannel,
  type BridgeResult,
  type DockBridge,
} from "./channels";
import { BridgeListeners, parseBridgeEvent } from "./dispatch";
import { encodeFrame, parseHostFrame } from "./protocol";

/**
 * The client end of the bridge over any message socket: the renderer runs it over the
 * browser's WebSocket (renderer/bridge/connect-bridge.ts), host tests over the `ws`
 * package. Written once here (pure TS) so the code the contract test exercises in Node
 * is the code the page runs.
 *
 * Reconnects with capped exponential backoff and jitter. A request made while the
 * socket is down waits in a queue and goes out on the next welcome; a request already
 * sent when the socket drops rejects with "disconnected" (it may or may not have run,
 * so it is never silently re-sent).
 */

/** The part of a WebSocket the client needs. */
export interface BridgeSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** What the socket reports back; the opener wires its transport's events to these. */
export interface BridgeSocketEvents {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
}

/** Opens one socket to the host (throwing counts as an immediate close). */
export type OpenBridgeSocket = (events: BridgeSocketEvents) => BridgeSocket;

/** Timers are injected: shared/ has no host globals, and tests drive reconnects by hand. */
export interface BridgeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export type BridgeConnectionState =
  | { status: "connecting"; attempt: number }
  | { status: "connected" }
  | { status: "waiting"; retryInMs: number; lastClose: CloseInfo }
  | { status: "closed" };

export interface BridgeClientOptions {
  openSocket: OpenBridgeSocket;
  /** The per-launch secret; asked before every attempt with the last close, so a shell may re-read it after a host restart. */
  secret: (lastClose: CloseInfo | null) => string | Promise<string>;
  timers: BridgeTimers;
  backoff?: { initialMs: number; maxMs: number };
  /** [0, 1); jitter source. */
  random?: () => number;
  onState?: (state: BridgeConnectionState) => void;
  /** A listener threw, or the host sent a frame we could not read. */
  onProblem?: (message: string, err?: unknown) => void;
}

export interface BridgeClient extends DockBridge {
  /** Resolves on the first successful handshake; rejects if the client is closed first. */
  ready(): Promise<void>;
  state(): BridgeConnectionState;
  /** Stops for good: pending and queued requests reject with "closed". */
  close(): void;
}

interface Pending {
  channel: BridgeChannel;
  args: unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** Delay before reconnect attempt `attempt` (0-based): capped doubling, "equal jitter" so many tabs do not retry in step. */
export function reconnectDelay(attempt: number, backoff: { initialMs: number; maxMs: number }, random: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (base / 2) * random);
}

/** A DockBridge client over reconnecting sockets. */
export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const random = options.random ?? Math.random;
  const problem = options.onProblem ?? (() => undefined);
  const listeners = new BridgeListeners((event, err) => problem(`listener for ${event} threw`, err));
  const queued = new Map<number, Pending>();
  const inFlight = new Map<number, Pending>();
  let nextId = 1;
  let socket: BridgeSocket | null = null;
  let welcomed = false;
  let attempt = 0;
  let lastClose: CloseInfo | null = null;
  let retryHandle: unknown = null;
  let state: BridgeConnectionState = { status: "connecting", attempt: 0 };
  let resolveReady: () => void = () => undefined;
  let rejectReady: (err: Error) => void = () => undefined;
  const readyPromise = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Nobody may be awaiting ready(); a rejection on close must not be reported as unhandled.
  readyPromise.catch(() => undefined);

  function isClosed(): boolean {
    return state.status === "closed";
  }

  function setState(next: BridgeConnectionState): void {
    state = next;
    options.onState?.(next);
  }

  function send(id: number, pending: Pending): void {
    inFlight.set(id, pending);
    socket?.send(encodeFrame({ type: "request", id, channel: pending.channel, args: pending.args }));
  }

  function onMessage(text: string): void {
    const parsed = parseHostFrame(text);
    if (!parsed.ok) return problem(`unreadable frame from host: ${parsed.error.message}`);
    const frame = parsed.frame;
    switch (frame.type) {
      case "welcome": {
        welcomed = true;
        attempt = 0;
        setState({ status: "connected" });
        resolveReady();
        const waiting = [...queued.entries()];
        queued.clear();
        for (const [id, pending] of waiting) send(id, pending);
        return;
      }
      case "response": {
        const pending = inFlight.get(frame.id);
        if (pending === undefined) return problem(`response to unknown request ${frame.id}`);
        inFlight.delete(frame.id);
        if (!frame.ok) return pending.reject(bridgeErrorFromBody(frame.error));
        const checked = bridgeRequests[pending.channel].result.safeParse(frame.result);
        if (!checked.success)
          return pending.reject(
            new BridgeError(
              "failed",
              `${pending.channel}: invalid result from host (${describeZodError(checked.error)})`,
            ),
          );
        return pending.resolve(checked.data);
      }
      case "event": {
        const event = parseBridgeEvent(frame.event, frame.payload);
        if (event === null) return problem(`host sent an invalid or unknown event ${JSON.stringify(frame.event)}`);
        return listeners.emit(event.event, event.payload);
      }
      case "error":
        return problem(`host reported: ${frame.error.message}`);
    }
  }

  function onClose(code: number, reason: string, owner: BridgeSocket): void {
    if (socket !== owner) return; // a late event from a socket we already gave up on
    socket = null;
    welcomed = false;
    lastClose = { code, reason };
    for (const [id, pending] of inFlight) {
      inFlight.delete(id);
      pending.reject(
        new BridgeError(
          "disconnected",
          `${pending.channel}: connection lost before the host answered (${code} ${reason})`.trim(),
        ),
      );
    }
    if (state.status === "closed") return;
    const delay = reconnectDelay(attempt, backoff, random());
    attempt += 1;
    setState({ status: "waiting", retryInMs: delay, lastClose });
    retryHandle = options.timers.set(() => {
      retryHandle = null;
      void connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    if (state.status === "closed") return;
    setState({ status: "connecting", attempt });
    let secret: string;
    try {
      secret = await options.secret(lastClose);
    } catch (err) {
      problem("could not read the bridge secret", err);
      secret = "";
    }
    // close() may have run while the secret was being read.
    if (isClosed()) return;
    let opened: BridgeSocket | null = null;
    const events: BridgeSocketEvents = {
      open: () => opened?.send(encodeFrame({ type: "hello", protocol: BRIDGE_PROTOCOL_VERSION, secret })),
      message: (text) => {
        if (socket === opened) onMessage(text);
      },
      close: (code, reason) => {
        if (opened !== null) onClose(code, reason, opened);
      },
    };
    try {
      opened = options.openSocket(events);
      socket = opened;
    } catch (err) {
      problem("could not open the bridge socket", err);
      const placeholder: BridgeSocket = { send: () => undefined, close: () => undefined };
      socket = placeholder;
      onClose(1006, err instanceof Error ? err.message : "open failed", placeholder);
    }
  }

  void connect();

  const client: BridgeClient = {
    invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<BridgeResult<C>> {
      return new Promise<BridgeResult<C>>((resolve, reject) => {
        if (state.status === "closed") return reject(new BridgeError("closed", `${channel}: the bridge is closed`));
        const id = nextId++;
        const pending: Pending = { channel, args, resolve: resolve as (v: unknown) => void, reject };
        if (welcomed && socket !== null) send(id, pending);
        else queued.set(id, pending);
      });
    },
    on(event, listener) {
      return listeners.add(event, listener);
    },
    ready: () => readyPromise,
    state: () => state,
    close() {
      if (state.status === "closed") return;
      setState({ status: "closed" });
      if (retryHandle !== null) options.timers.clear(retryHandle);
      const open = socket;
      socket = null;
      open?.close(1000, "client closed");
      for (const map of [queued, inFlight]) {
        for (const [id, pending] of map) {
          map.delete(id);
          pending.reject(new BridgeError("closed", `${pending.channel}: the bridge was closed`));
        }
      }
      rejectReady(new BridgeError("closed", "the bridge was closed before it connected"));
    },
  };
  return client;
}
