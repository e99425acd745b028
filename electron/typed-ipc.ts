import { ipcMain, ipcRenderer, type IpcMainInvokeEvent, type IpcRendererEvent, type WebContents } from "electron";
import { z } from "zod";
import {
  BRIDGE_CHANNELS,
  BridgeError,
  BridgeErrorBodySchema,
  bridgeRequests,
  describeZodError,
  isBridgeChannel,
  isBridgeEventName,
  type BridgeArgs,
  type BridgeChannel,
  type BridgeEventName,
  type BridgeEventPayload,
  type BridgeHandlers,
  type BridgeResult,
  type DockBridge,
} from "../shared/bridge/channels";
import { createBridgeDispatcher, parseBridgeEvent, type BridgeOutcome } from "../shared/bridge/dispatch";
import { isAppUrl } from "./app-origin";
import { refuseSender } from "./security";

/**
 * The one typed wrapper around Electron's IPC (GitHub Desktop's ipc-main / ipc-renderer,
 * in one file): the only module that touches `ipcMain` or `ipcRenderer` (lint bans them
 * elsewhere). Both sides are generated from the channel map in shared/bridge/channels.ts, so a
 * channel exists on the wire exactly when it exists in the map.
 *
 * On the wire: request channel C is the IPC channel "dock:request:C" (ipcMain.handle /
 * ipcRenderer.invoke) answering a `BridgeOutcome`; an event E is "dock:event:E"
 * (webContents.send / ipcRenderer.on). Outcomes, not thrown errors, cross IPC because
 * Electron rewrites a thrown error's message ("Error invoking remote method ...").
 */

/** The IPC channel carrying bridge request `channel`. */
export function requestIpcName(channel: BridgeChannel): string {
  return `dock:request:${channel}`;
}

/** The IPC channel carrying bridge event `event`. */
export function eventIpcName(event: BridgeEventName): string {
  return `dock:event:${event}`;
}

const OutcomeSchema = z.union([
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: BridgeErrorBodySchema }),
]);

export interface IpcBridgeBinding {
  /** The host services' handlers (host/host-services.ts), the same ones the browser shell binds. */
  handlers: BridgeHandlers;
  /** Host → renderer events (HostServices.subscribe). */
  subscribe(listener: (event: BridgeEventName, payload: unknown) => void): () => void;
  /** The dock window's web contents, the only sender answered and the only receiver of events. */
  trustedContents(): WebContents | null;
  log(message: string): void;
}

/** Main side: one ipcMain handler per bridge channel, each checking the sender frame, then validating through the shared dispatcher. Returns the unbinding. */
export function serveBridgeOverIpc(binding: IpcBridgeBinding): () => void {
  const dispatch = createBridgeDispatcher(binding.handlers);
  for (const channel of BRIDGE_CHANNELS) {
    ipcMain.handle(
      requestIpcName(channel),
      async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<BridgeOutcome> => {
        const refusal = refuseSender(event, binding.trustedContents());
        if (refusal !== null) {
          binding.log(`ipc: refused ${channel}: ${refusal}`);
          return { ok: false, error: { code: "bad-request", message: `bad-request: ${channel} refused: ${refusal}` } };
        }
        if (args.length !== 1) {
          return {
            ok: false,
            error: {
              code: "bad-request",
              message: `bad-request: ${channel} takes exactly one argument, got ${args.length}`,
            },
          };
        }
        return dispatch(channel, args[0]);
      },
    );
  }
  const unsubscribe = binding.subscribe((event, payload) => {
    const contents = binding.trustedContents();
    // Events go only to our own page: never to a destroyed window or to a page that is not ours.
    if (contents === null || contents.isDestroyed() || !isAppUrl(contents.mainFrame.url)) return;
    contents.mainFrame.send(eventIpcName(event), payload);
  });
  return () => {
    unsubscribe();
    for (const channel of BRIDGE_CHANNELS) ipcMain.removeHandler(requestIpcName(channel));
  };
}

/** The message of a BridgeError without its "code: " prefix (BridgeError adds it back). */
function detailOf(code: string, message: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}

/** Preload side: the `DockBridge` over ipcRenderer, exactly the channel map and nothing else. */
export function createIpcDockBridge(): DockBridge {
  return {
    async invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<BridgeResult<C>> {
      // The allow-list: only the map's channels ever reach ipcRenderer (VS Code's preload rule).
      if (!isBridgeChannel(channel)) {
        throw new BridgeError(
          "unknown-channel",
          `no bridge channel named ${JSON.stringify(String(channel)).slice(0, 80)}`,
        );
      }
      const answer: unknown = await ipcRenderer.invoke(requestIpcName(channel), args).catch((err: unknown) => {
        throw new BridgeError("failed", `${channel}: ${err instanceof Error ? err.message : String(err)}`);
      });
      const outcome = OutcomeSchema.safeParse(answer);
      if (!outcome.success)
        throw new BridgeError(
          "failed",
          `${channel}: unreadable answer from the host (${describeZodError(outcome.error)})`,
        );
      if (!outcome.data.ok)
        throw new BridgeError(outcome.data.error.code, detailOf(outcome.data.error.code, outcome.data.error.message));
      const checked = bridgeRequests[channel].result.safeParse(outcome.data.result);
      if (!checked.success)
        throw new BridgeError("failed", `${channel}: invalid result from host (${describeZodError(checked.error)})`);
      return checked.data as BridgeResult<C>;
    },
    on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void {
      if (!isBridgeEventName(event))
        throw new BridgeError("unknown-channel", `no bridge event named ${JSON.stringify(String(event)).slice(0, 80)}`);
      if (typeof listener !== "function")
        throw new BridgeError("bad-request", `${event}: the listener must be a function`);
      const name = eventIpcName(event);
      // The IpcRendererEvent stays here: handing it to the page would hand over ipcRenderer itself.
      const relay = (_ipcEvent: IpcRendererEvent, payload: unknown) => {
        const parsed = parseBridgeEvent(event, payload);
        if (parsed !== null) listener(parsed.payload as BridgeEventPayload<E>);
      };
      ipcRenderer.on(name, relay);
      let listening = true;
      return () => {
        if (!listening) return;
        listening = false;
        ipcRenderer.removeListener(name, relay);
      };
    },
  } satisfies DockBridge;
}
