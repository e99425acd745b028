/**
 * The HID-POS read journal: every read the scanners deliver is written here (and fsynced)
 * before it is sent to the renderer, and held until the renderer has stored it and said so
 * (`scanner.ack`). A read that arrives while the page reloads reaches no window, and a read
 * whose ack is lost with the page, is delivered again from here (`scanner.pending`); the
 * renderer keys the scan by the read's id, so a read delivered twice is stored once.
 *
 * Append-only JSON lines with group commit and fsync, as the jig's flash journal
 * (./jig/flash-journal.ts): a read must be on disk before anyone can see it, and appending
 * one line is the cheapest durable write. Creating or replacing the file also fsyncs the
 * directory, so the file itself survives a power cut. At open the file is compacted to the
 * reads still pending; while running it is emptied whenever nothing is pending and it has
 * grown past `compactBytes`. With no data dir the journal lives in memory (tests).
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { JournalIdSchema, ScannerReadSchema, type ScannerRead, type ScannerScan } from "../shared/bridge/channels";
import { newEventId } from "../shared/domain/ids";

const RecordSchema = z.discriminatedUnion("t", [
  z.strictObject({ t: z.literal("read"), read: ScannerReadSchema }),
  z.strictObject({ t: z.literal("ack"), ids: z.array(JournalIdSchema) }),
]);
type ScanRecord = z.infer<typeof RecordSchema>;

export const SCAN_JOURNAL_FILE = "scan-journal.jsonl";

export interface ScanJournal {
  /** Gives the read its id and writes it durably; resolves once it is on disk. */
  append(scan: ScannerScan): Promise<ScannerRead>;
  /** Reads not yet acknowledged, oldest first. */
  pending(limit?: number): { reads: ScannerRead[]; total: number };
  /** Forgets these reads; unknown ids are ignored. */
  ack(ids: readonly string[]): Promise<{ acknowledged: number; remaining: number }>;
  close(): Promise<void>;
}

export interface ScanJournalOptions {
  /** Empty the file once nothing is pending and it is bigger than this (default 1 MiB). */
  compactBytes?: number;
}

/** Opens (or creates) the journal in `dataDir`, in memory when null. An unreadable line other than a torn last one stops with its line number. */
export async function openScanJournal(dataDir: string | null, options: ScanJournalOptions = {}): Promise<ScanJournal> {
  const pendingReads = new Map<string, ScannerRead>();
  const apply = (r: ScanRecord) => {
    if (r.t === "read") pendingReads.set(r.read.readId, r.read);
    else for (const id of r.ids) pendingReads.delete(id);
  };
  if (dataDir === null) return memoryJournal(pendingReads, apply);

  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, SCAN_JOURNAL_FILE);
  const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return null;
    throw e;
  });
  if (text !== null) {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? "";
      if (line === "") continue;
      const parsed = RecordSchema.safeParse(safeJson(line));
      if (!parsed.success) {
        if (i === lines.length - 1) break; // torn tail: that read was never delivered, so nobody saw it
        throw new Error(
          `scan journal ${path} line ${i + 1} is unreadable; move the file aside only after saving the reads in it`,
        );
      }
      apply(parsed.data);
    }
  }
  // Compact to what is still pending: written beside, synced, renamed over, directory synced.
  const compacted = [...pendingReads.values()].map((read) => `${JSON.stringify({ t: "read", read })}\n`).join("");
  const tmp = `${path}.tmp`;
  const tmpHandle = await open(tmp, "w");
  try {
    await tmpHandle.writeFile(compacted, "utf8");
    await tmpHandle.sync();
  } finally {
    await tmpHandle.close();
  }
  await rename(tmp, path);
  await syncDirectory(dataDir);
  const handle = await open(path, "a");
  let size = Buffer.byteLength(compacted);
  const compactBytes = options.compactBytes ?? 1024 * 1024;

  const queue: Array<{ record: ScanRecord; line: string; resolve: () => void; reject: (e: Error) => void }> = [];
  let flushing: Promise<void> | null = null;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      try {
        const chunk = batch.map((b) => b.line).join("");
        await handle.appendFile(chunk, "utf8");
        await handle.datasync();
        size += Buffer.byteLength(chunk);
        for (const b of batch) apply(b.record);
        if (pendingReads.size === 0 && size > compactBytes) {
          // Nothing pending: every line in the file is settled, so the file may start over.
          await handle.truncate(0);
          await handle.datasync();
          size = 0;
        }
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    flushing = null;
  };
  const write = (record: ScanRecord): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ record, line: `${JSON.stringify(record)}\n`, resolve, reject });
      flushing ??= flush();
    });

  return {
    async append(scan) {
      const read = ScannerReadSchema.parse({ ...scan, readId: newEventId() });
      await write({ t: "read", read });
      return read;
    },
    pending: (limit) => pendingOf(pendingReads, limit),
    async ack(ids) {
      const known = [...new Set(ids)].filter((id) => pendingReads.has(id));
      if (known.length > 0) await write({ t: "ack", ids: known });
      return { acknowledged: known.length, remaining: pendingReads.size };
    },
    async close() {
      while (flushing !== null) await flushing;
      await handle.close();
    },
  };
}

function memoryJournal(pendingReads: Map<string, ScannerRead>, apply: (r: ScanRecord) => void): ScanJournal {
  return {
    async append(scan) {
      const read = ScannerReadSchema.parse({ ...scan, readId: newEventId() });
      apply({ t: "read", read });
      return read;
    },
    pending: (limit) => pendingOf(pendingReads, limit),
    async ack(ids) {
      const known = [...new Set(ids)].filter((id) => pendingReads.has(id));
      apply({ t: "ack", ids: known });
      return { acknowledged: known.length, remaining: pendingReads.size };
    },
    async close() {},
  };
}

function pendingOf(
  pendingReads: Map<string, ScannerRead>,
  limit: number | undefined,
): { reads: ScannerRead[]; total: number } {
  const all = [...pendingReads.values()];
  return { reads: limit === undefined ? all : all.slice(0, limit), total: all.length };
}

/** fsync of a directory: makes a file created or renamed in it survive a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
