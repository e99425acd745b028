import WebSocket from "ws";
import { z } from "zod";

/**
 * A process's live JavaScript heap, measured through its inspector (the process was started
 * with `--inspect=127.0.0.1:0`): a full garbage collection (`HeapProfiler.collectGarbage`),
 * then `Runtime.getHeapUsage`. What `process.memoryUsage().heapUsed` or prom-client's gauge
 * report is the heap *in use*, garbage included: V8 collects the old generation lazily, so
 * between major collections that figure climbs with the load and says nothing about a leak
 * (finding 22 of docs/fault-campaign.md). After a forced collection only what is reachable is left.
 */

const ReplySchema = z.object({
  id: z.number(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).optional(),
});
const HeapUsageSchema = z.object({ usedSize: z.number().nonnegative(), totalSize: z.number().nonnegative() });

/** The inspector's WebSocket address from what a process started with `--inspect=…:0` printed, or null. */
export function inspectorUrlIn(output: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1] ?? null;
}

/** Bytes of live JavaScript heap after a full collection, through the inspector at `wsUrl`. */
export async function liveHeapBytes(wsUrl: string, timeoutMs = 15_000): Promise<number> {
  const ws = new WebSocket(wsUrl);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  ws.on("message", (data: WebSocket.RawData) => {
    let reply: z.infer<typeof ReplySchema>;
    try {
      reply = ReplySchema.parse(JSON.parse(data.toString()));
    } catch {
      return; // an inspector notification (no id), not an answer
    }
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error) p.reject(new Error(`inspector: ${reply.error.message}`));
    else p.resolve(reply.result);
  });
  ws.on("error", (e: Error) => failAll(e));
  ws.on("close", () => failAll(new Error("the inspector closed the connection")));
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method }));
    });
  const timer = setTimeout(() => {
    failAll(new Error(`no answer from the inspector within ${timeoutMs} ms`));
    ws.terminate();
  }, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await call("HeapProfiler.collectGarbage");
    return HeapUsageSchema.parse(await call("Runtime.getHeapUsage")).usedSize;
  } finally {
    clearTimeout(timer);
    ws.close();
  }
}
