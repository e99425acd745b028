import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { JournalEntrySchema, type JournalEntry } from "../shared/bridge/channels";
import { newEventId } from "../shared/domain/ids";

/**
 * The hardware journal: results from the hardware (jig runs) held durably by the host
 * until the renderer has stored them in its own event log and acknowledged them
 * (ARCHITECTURE.md, data flow 3), so a result produced while no window is open, or
 * during a reload, is never lost. A small JSON file rewritten atomically is enough: the
 * journal holds at most the results of an unacknowledged window of work, and the renderer
 * acknowledges as it stores. Each change is written beside, fsynced, renamed over the file
 * and the directory fsynced (issue 21), so a power cut leaves the old file or the new one,
 * never an empty or torn one, and a change is on disk before `append` or `ack` resolves.
 * With no data dir it lives in memory (tests).
 */

const JournalFileSchema = z.strictObject({ version: z.literal(1), entries: z.array(JournalEntrySchema) });

export interface HardwareJournal {
  /** Records a result; resolves once it is on disk. */
  append(kind: string, payload: unknown, at?: Date): Promise<JournalEntry>;
  /** Oldest first. */
  pending(limit?: number): { entries: JournalEntry[]; total: number };
  /** Forgets these ids; unknown ids are ignored. Returns how many were removed. */
  ack(ids: readonly string[]): Promise<{ acknowledged: number; remaining: number }>;
  /** Called with the new pending count after every change. */
  onChange(listener: (pending: number) => void): () => void;
}

/** Opens (or creates) the journal kept in `dataDir`; in memory when `dataDir` is null. A corrupt file stops the host with its path. */
export async function openHardwareJournal(dataDir: string | null): Promise<HardwareJournal> {
  const file = dataDir === null ? null : join(dataDir, "hardware-journal.json");
  let entries: JournalEntry[] = [];
  if (file !== null && dataDir !== null) {
    await mkdir(dataDir, { recursive: true });
    const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return null;
      throw err;
    });
    if (text !== null) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(
          `hardware journal ${file} is not JSON; move it aside to start empty (its results have not been stored by the renderer)`,
        );
      }
      const parsed = JournalFileSchema.safeParse(json);
      if (!parsed.success)
        throw new Error(`hardware journal ${file} does not match its schema; move it aside to start empty`);
      entries = parsed.data.entries;
    }
  }
  const listeners = new Set<(pending: number) => void>();
  // Writes are chained so two quick changes never race on the temporary file.
  let writing: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    if (file === null) return Promise.resolve();
    const snapshot = JSON.stringify({ version: 1, entries });
    writing = writing.then(async () => {
      await replaceDurably(file, snapshot);
    });
    return writing;
  }

  function changed(): void {
    for (const listener of [...listeners]) listener(entries.length);
  }

  return {
    async append(kind, payload, at = new Date()) {
      // newEventId() without a time is monotonic within the process, so ids sort as appended.
      const entry = JournalEntrySchema.parse({ id: newEventId(), kind, recordedAt: at.toISOString(), payload });
      entries = [...entries, entry];
      await persist();
      changed();
      return entry;
    },
    pending(limit) {
      return { entries: limit === undefined ? [...entries] : entries.slice(0, limit), total: entries.length };
    },
    async ack(ids) {
      const drop = new Set(ids);
      const kept = entries.filter((e) => !drop.has(e.id));
      const acknowledged = entries.length - kept.length;
      if (acknowledged > 0) {
        entries = kept;
        await persist();
        changed();
      }
      return { acknowledged, remaining: entries.length };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Replaces `file` with `text` so that a crash or power cut at any instant leaves either the old
 * content or the new, whole: written to a temporary file, fsynced, renamed over, and the
 * directory fsynced (the rename itself is only durable once the directory is).
 */
export async function replaceDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await syncDirectory(dirname(file));
}

/** fsync of a directory: makes a file created or renamed in it survive a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
