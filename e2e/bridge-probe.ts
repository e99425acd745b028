import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { build } from "vite";
import type {
  BridgeArgs,
  BridgeChannel,
  BridgeEventName,
  BridgeEventPayload,
  BridgeResult,
} from "../shared/bridge/channels";

/**
 * A probe for e2e specs: the renderer's real bridge client (renderer/bridge/connect-bridge.ts)
 * bundled by vite and added to the page the host served, so a spec can talk to the host
 * from inside Chromium exactly as the renderer does, whatever state the UI is in.
 */

const entry = fileURLToPath(new URL("../renderer/bridge/connect-bridge.ts", import.meta.url));
let bundle: Promise<string> | null = null;

/** The IIFE bundle (built once per worker) exposing `window.DockBridgeProbe.connectBridge`. */
function probeBundle(): Promise<string> {
  bundle ??= (async () => {
    const out = await build({
      configFile: false,
      logLevel: "silent",
      build: {
        write: false,
        minify: false,
        lib: { entry, formats: ["iife"], name: "DockBridgeProbe", fileName: "probe" },
      },
    });
    const outputs = Array.isArray(out) ? out : [out];
    for (const o of outputs) {
      if (!("output" in o)) continue;
      for (const chunk of o.output) if (chunk.type === "chunk") return chunk.code;
    }
    throw new Error("vite produced no bundle for the bridge probe");
  })();
  return bundle;
}

interface ProbeWindow {
  DockBridgeProbe: {
    connectBridge(): Promise<{
      invoke(c: string, a: unknown): Promise<unknown>;
      on(e: string, cb: (p: unknown) => void): () => void;
    }>;
  };
  __dockProbe?: {
    invoke(c: string, a: unknown): Promise<unknown>;
    on(e: string, cb: (p: unknown) => void): () => void;
  };
  __dockProbeEvents?: Record<string, unknown[]>;
}

/** Adds the probe to the page and connects it to the host; events of `record` are kept for `probeEvents`. */
export async function connectProbe(
  page: Page,
  record: BridgeEventName[] = ["scanner.scan", "journal.changed"],
): Promise<void> {
  await page.addScriptTag({ content: await probeBundle() });
  await page.evaluate(async (events) => {
    const w = window as unknown as ProbeWindow;
    const bridge = await w.DockBridgeProbe.connectBridge();
    w.__dockProbe = bridge;
    w.__dockProbeEvents = {};
    for (const event of events) {
      const list: unknown[] = [];
      w.__dockProbeEvents[event] = list;
      bridge.on(event, (payload) => list.push(payload));
    }
  }, record);
}

/** Invokes a bridge channel from inside the page; a rejection comes back as its message. */
export async function probeInvoke<C extends BridgeChannel>(
  page: Page,
  channel: C,
  args: BridgeArgs<C>,
): Promise<BridgeResult<C>> {
  const out = await page.evaluate(
    async ([c, a]) => {
      const probe = (window as unknown as ProbeWindow).__dockProbe;
      if (probe === undefined) throw new Error("connectProbe(page) first");
      try {
        return { ok: true as const, value: await probe.invoke(c, a) };
      } catch (err) {
        return { ok: false as const, message: err instanceof Error ? err.message : String(err) };
      }
    },
    [channel, args] as const,
  );
  if (!out.ok) throw new Error(out.message);
  return out.value as BridgeResult<C>;
}

/** The payloads of `event` the page has received since connectProbe. */
export async function probeEvents<E extends BridgeEventName>(
  page: Page,
  event: E,
): Promise<Array<BridgeEventPayload<E>>> {
  return (await page.evaluate((e) => (window as unknown as ProbeWindow).__dockProbeEvents?.[e] ?? [], event)) as Array<
    BridgeEventPayload<E>
  >;
}
