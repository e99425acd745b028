import {
  BridgeError,
  bridgeEvents,
  bridgeRequests,
  describeZodError,
  isBridgeChannel,
  isBridgeEventName,
  type BridgeErrorBody,
  type BridgeEventName,
  type BridgeEventPayload,
  type BridgeHandlers,
} from "./channels";

/**
 * The host side of the bridge, independent of transport: every shell (the browser
 * shell's WebSocket, Electron's ipcMain, the renderer's test double) hands an incoming
 * (channel, args) pair to the dispatcher, so validation and error shaping are written once.
 */

export type BridgeOutcome = { ok: true; result: unknown } | { ok: false; error: BridgeErrorBody };

/** Messages stay short on the wire; a host exception's text is what the operator would read. */
const MAX_ERROR_MESSAGE = 2000;

function failure(error: BridgeError): BridgeOutcome {
  return { ok: false, error: { code: error.code, message: error.message.slice(0, MAX_ERROR_MESSAGE) } };
}

/** A function answering one untrusted request: validates channel and args, runs the handler, validates its result. Never throws. */
export function createBridgeDispatcher(
  handlers: BridgeHandlers,
): (channel: unknown, args: unknown) => Promise<BridgeOutcome> {
  return async (channel, args) => {
    if (!isBridgeChannel(channel)) {
      return failure(
        new BridgeError("unknown-channel", `no bridge channel named ${JSON.stringify(String(channel)).slice(0, 80)}`),
      );
    }
    const spec = bridgeRequests[channel];
    const parsed = spec.args.safeParse(args);
    if (!parsed.success)
      return failure(new BridgeError("bad-request", `${channel}: ${describeZodError(parsed.error)}`));
    let result: unknown;
    try {
      // The cast is sound: `parsed.data` was produced by this channel's own schema.
      const handler = handlers[channel] as (a: unknown) => Promise<unknown>;
      result = await handler(parsed.data);
    } catch (err) {
      if (err instanceof BridgeError) return failure(err);
      return failure(new BridgeError("failed", `${channel}: ${err instanceof Error ? err.message : String(err)}`));
    }
    // A host bug must surface as a clear error here, not as a confusing one in the renderer.
    const checked = spec.result.safeParse(result);
    if (!checked.success)
      return failure(
        new BridgeError("failed", `${channel}: host produced an invalid result (${describeZodError(checked.error)})`),
      );
    return { ok: true, result: checked.data };
  };
}

/** Validates an event before a shell sends it, so a host bug never reaches the renderer as a malformed event. */
export function checkBridgeEvent<E extends BridgeEventName>(
  event: E,
  payload: BridgeEventPayload<E>,
): BridgeEventPayload<E> {
  const checked = bridgeEvents[event].safeParse(payload);
  if (!checked.success) throw new BridgeError("failed", `event ${event}: ${describeZodError(checked.error)}`);
  return checked.data as BridgeEventPayload<E>;
}

/** Parses an untrusted event (a renderer-side transport receiving it); null when it is not a valid event of the map. */
export function parseBridgeEvent(
  event: unknown,
  payload: unknown,
): { event: BridgeEventName; payload: unknown } | null {
  if (!isBridgeEventName(event)) return null;
  const checked = bridgeEvents[event].safeParse(payload);
  return checked.success ? { event, payload: checked.data } : null;
}

/** A small typed event fan-out shared by the shells' implementations of `DockBridge.on`. */
export class BridgeListeners {
  private readonly listeners = new Map<BridgeEventName, Set<(payload: unknown) => void>>();

  /** `onListenerError` reports a throwing listener (shared/ has no console of its own). */
  constructor(private readonly onListenerError: (event: BridgeEventName, err: unknown) => void) {}

  /** Adds a listener; returns its removal. */
  add<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => {
      set.delete(untyped);
    };
  }

  /** Calls every listener of `event`; one throwing listener does not stop the others. */
  emit(event: BridgeEventName, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  /** Number of listeners (all events): lets a test see that unsubscribe worked. */
  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
