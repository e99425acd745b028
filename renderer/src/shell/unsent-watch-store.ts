import { parseOldestUnsentWatch, type OldestUnsentWatch } from "../../../shared/domain/unsent-alarm";

/** Where the unsent-event alarm's watch survives a page reload (an operator's first move when sync looks stuck). */
export interface UnsentWatchStore {
  load(): OldestUnsentWatch | null;
  save(watch: OldestUnsentWatch | null): void;
}

const KEY = "reflash-dock.unsent-watch";

/**
 * The watch in the page's localStorage: a few bytes written only when the oldest unsent event
 * changes, synchronously, with none of IndexedDB's transactions that scans commit through.
 * Read back through the shared schema; a missing, unreadable or full storage means no watch
 * kept (the alarm then starts watching afresh), never an error.
 */
export function localUnsentWatchStore(
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null,
): UnsentWatchStore {
  return {
    load() {
      try {
        return parseOldestUnsentWatch(storage?.getItem(KEY) ?? null);
      } catch {
        return null;
      }
    },
    save(watch) {
      try {
        if (watch === null) storage?.removeItem(KEY);
        else storage?.setItem(KEY, JSON.stringify(watch));
      } catch {
        /* storage full or refused: the watch lives in memory only */
      }
    },
  };
}
