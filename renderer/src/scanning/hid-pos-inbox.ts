import type { DockBridge, ScannerRead } from "../../../shared/bridge/channels";

/**
 * The renderer's end of the HID-POS read journal (host/scan-journal.ts). The host holds
 * every read until the page says it has stored it; this inbox
 *  - routes each live `scanner.scan` read once (a read is keyed by its `readId`),
 *  - acknowledges reads only once the store says everything routed so far is stored or
 *    durably held behind an error (`settled`), in batches,
 *  - asks the host for the reads it still holds at start (a reload: reads that arrived while
 *    no page was listening, or whose ack was lost with the old page) and every `pollMs`
 *    (the bridge came back), and routes only those not already in the dock's log or held
 *    in the page's queue. The scan event takes the read's id, so the log check is exact.
 * Reads are routed strictly in the order they come: a redelivered read never overtakes a live one queued before it.
 */
export interface HidPosInboxDeps {
  bridge: Pick<DockBridge, "invoke" | "on">;
  /** True when the dock's log already holds the scan recorded from this read. */
  isStored(readId: string): Promise<boolean>;
  /** True when the read waits in the page's scan queue (restored from the held row after a reload). */
  isHeld(readId: string): boolean;
  /** Hands the read to the screen on show. */
  deliver(read: ScannerRead): void;
  /** Resolves once every read delivered so far is stored, or durably held behind an error. */
  settled(): Promise<void>;
  /** How often to ask the host for reads it still holds (default 3 s). */
  pollMs?: number;
  /** Told when the host cannot be reached for pending reads or acks (kept and retried). */
  onProblem?(message: string): void;
}

export interface HidPosInbox {
  /** Resolves once every read seen so far is routed and its acknowledgement sent (tests). */
  idle(): Promise<void>;
  stop(): void;
}

const ACK_BATCH = 500;

export function startHidPosInbox(deps: HidPosInboxDeps): HidPosInbox {
  const handled = new Set<string>();
  const toAck = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let acking: Promise<void> | null = null;
  let ackAgain = false;
  let stopped = false;

  /** True when every read it took was acknowledged; false when the host could not be reached. */
  const ackLoop = async (): Promise<boolean> => {
    do {
      ackAgain = false;
      // Only the reads delivered before settled() was asked are covered by it.
      const ids = [...toAck];
      toAck.clear();
      if (ids.length === 0) continue;
      try {
        await deps.settled();
        for (let i = 0; i < ids.length; i += ACK_BATCH)
          await deps.bridge.invoke("scanner.ack", { readIds: ids.slice(i, i + ACK_BATCH) });
        // The host has forgotten them and never sends them again: the page need not remember them either.
        for (const id of ids) handled.delete(id);
      } catch (e) {
        // The host keeps them; they are acknowledged on the next round.
        for (const id of ids) toAck.add(id);
        deps.onProblem?.(`could not acknowledge scanner reads: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
    } while ((ackAgain || toAck.size > 0) && !stopped);
    return true;
  };
  const scheduleAck = () => {
    if (acking !== null) {
      ackAgain = true;
      return;
    }
    acking = ackLoop().then((ok) => {
      acking = null;
      // A read handled between the loop's last check and now found `acking` still set; after a failure the next read or poll retries.
      if (ok && toAck.size > 0 && !stopped) scheduleAck();
    });
  };

  const handle = async (read: ScannerRead, redelivered: boolean): Promise<void> => {
    if (stopped || handled.has(read.readId)) return;
    handled.add(read.readId);
    if (redelivered && (deps.isHeld(read.readId) || (await deps.isStored(read.readId)))) {
      toAck.add(read.readId);
      return scheduleAck();
    }
    deps.deliver(read);
    toAck.add(read.readId);
    scheduleAck();
  };
  const enqueue = (read: ScannerRead, redelivered: boolean) => {
    chain = chain
      .then(() => handle(read, redelivered))
      .catch((e: unknown) =>
        deps.onProblem?.(`a scanner read could not be routed: ${e instanceof Error ? e.message : String(e)}`),
      );
  };

  const pull = async () => {
    try {
      const { reads } = await deps.bridge.invoke("scanner.pending", { limit: 500 });
      for (const read of reads) enqueue(read, true);
      if (toAck.size > 0) scheduleAck();
    } catch (e) {
      deps.onProblem?.(`could not ask the host for held scanner reads: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const off = deps.bridge.on("scanner.scan", (read) => enqueue(read, false));
  let pulling = pull();
  const timer = setInterval(() => {
    pulling = pulling.then(pull);
  }, deps.pollMs ?? 3000);

  return {
    async idle() {
      await pulling;
      await chain;
      while (acking !== null) await acking;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      off();
    },
  };
}
