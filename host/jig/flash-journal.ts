/**
 * The jig service's journal: an append-only file of JSON lines, each fsynced before the
 * call that wrote it resolves. It is the jig station's memory across crashes:
 * - `attempt-started` is written before a hub is unlocked, so a restart knows which
 *   flashes were in flight (recovery resolves them, never blindly repeats them);
 * - `flash.result` / `fault.reported` entries are held until the renderer acknowledges
 *   them (`ack`), so no result is lost;
 * - results and supervisor overrides form the per-hub history that refuses a second
 *   flash to the same target.
 * Append-only with fsync (rather than rewrite + rename) because a result must be on
 * disk before the operator sees it, and appending one line is the cheapest durable write.
 */
import { open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { z } from "zod";
import { FaultReportedPayload, FlashResultPayload } from "../../shared/events";
import { DeviceIdSchema, HexFirmwareSchema } from "../../shared/domain/booking";
import { syncDirectory } from "../hardware-journal";

const Instant = z.string().min(1);
const Id = z.string().min(1).max(64);

export const AttemptStartedSchema = z.strictObject({
  t: z.literal("attempt-started"),
  attemptId: Id,
  deviceId: DeviceIdSchema,
  jigId: z.string().min(1),
  slot: z.number().int().min(0).max(7),
  model: z.string(),
  fromVersion: HexFirmwareSchema,
  toVersion: HexFirmwareSchema,
  imageSha256: z.string(),
  attempt: z.number().int().min(1),
  at: Instant,
});
export type AttemptStarted = z.infer<typeof AttemptStartedSchema>;

/**
 * A journalled result as the bridge carries it (`JournalEntry` shape). A result a person must
 * look at (a hub flashed to an image withdrawn since) carries its notice in the event payload,
 * so central sees it too. `notice` beside the payload is what journals written before that
 * still hold: read, never written (`payloadWithNotice` moves it into the payload).
 */
const LegacyNotice = z.string().min(1).max(2000).optional();
export const JournalItemSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    id: Id,
    kind: z.literal("flash.result"),
    recordedAt: Instant,
    attemptId: Id.nullable(),
    notice: LegacyNotice,
    payload: FlashResultPayload,
  }),
  z.strictObject({
    id: Id,
    kind: z.literal("fault.reported"),
    recordedAt: Instant,
    attemptId: Id.nullable(),
    notice: LegacyNotice,
    payload: FaultReportedPayload,
  }),
]);
export type JournalItem = z.infer<typeof JournalItemSchema>;

const RecordSchema = z.discriminatedUnion("t", [
  AttemptStartedSchema,
  z.strictObject({ t: z.literal("item"), item: JournalItemSchema }),
  /** An attempt that ended without a result of its own: it failed and is retried, or recovery found the hub gone. */
  z.strictObject({ t: z.literal("attempt-closed"), attemptId: Id, reason: z.string(), at: Instant }),
  z.strictObject({
    t: z.literal("override"),
    deviceId: DeviceIdSchema,
    toVersion: HexFirmwareSchema,
    supervisorId: Id,
    reason: z.string().min(1),
    at: Instant,
  }),
  z.strictObject({ t: z.literal("ack"), ids: z.array(Id), at: Instant }),
]);
export type JournalRecord = z.infer<typeof RecordSchema>;

export class FlashJournal {
  private readonly pendingItems = new Map<string, JournalItem>();
  private readonly started = new Map<string, AttemptStarted>();
  /** deviceId → versions it was flashed to (from flashed results). */
  private readonly flashedTo = new Map<string, Set<string>>();
  /** deviceId|version → unused supervisor override. */
  private readonly overrides = new Map<string, { supervisorId: string; reason: string }>();

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /**
   * Opens the journal, replaying it. A torn last line (a crash mid-append) is dropped;
   * a bad line anywhere else stops with its line number, since results could be behind it.
   */
  static async open(path: string): Promise<FlashJournal> {
    const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return "";
      throw e;
    });
    const lines = text.split("\n");
    const records: JournalRecord[] = [];
    let validBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? "";
      const last = i === lines.length - 1;
      if (line === "") {
        if (!last) validBytes += 1;
        continue;
      }
      const parsed = safeJson(line);
      const rec = parsed === undefined ? null : RecordSchema.safeParse(parsed);
      if (!rec || !rec.success) {
        if (last) break; // torn tail: the write never completed, so nobody was told of it
        throw new Error(
          `flash journal ${path} line ${i + 1} is unreadable; move the file aside only after saving its results`,
        );
      }
      records.push(rec.data);
      validBytes += Buffer.byteLength(line) + (last ? 0 : 1);
    }
    const handle = await open(path, "a+");
    // The file may have just been created: its directory entry is durable only once the directory is synced.
    await syncDirectory(dirname(path));
    // Cut a torn tail off so the next append starts on a clean line.
    const size = (await handle.stat()).size;
    if (size > validBytes) {
      await handle.truncate(validBytes);
      await handle.datasync();
    }
    const journal = new FlashJournal(handle, path);
    for (const r of records) journal.apply(r);
    return journal;
  }

  /**
   * Appends one record durably (written and fsynced) before resolving. Records queued
   * while a write is in flight go out together with one fsync (group commit), so 24
   * slots finishing at once wait for one or two disk syncs, not 24 in a row.
   */
  append(record: JournalRecord): Promise<void> {
    let line: string;
    try {
      line = `${JSON.stringify(RecordSchema.parse(record))}\n`;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, line, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private readonly queue: Array<{
    record: JournalRecord;
    line: string;
    resolve: () => void;
    reject: (e: Error) => void;
  }> = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      try {
        await this.handle.appendFile(batch.map((b) => b.line).join(""), "utf8");
        await this.handle.datasync();
        for (const b of batch) this.apply(b.record);
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.flushing = false;
  }

  /** Results not yet acknowledged by the renderer, oldest first. */
  pending(): JournalItem[] {
    return [...this.pendingItems.values()];
  }

  /** The renderer stored these; unknown ids are ignored. Returns how many were pending. */
  async acknowledge(ids: readonly string[]): Promise<number> {
    const known = ids.filter((id) => this.pendingItems.has(id));
    if (known.length > 0) await this.append({ t: "ack", ids: known, at: new Date().toISOString() });
    return known.length;
  }

  /** Attempts started whose result was never written (in flight at a crash). */
  interrupted(): AttemptStarted[] {
    return [...this.started.values()];
  }

  /** True when the history shows this hub already flashed to `version`. */
  wasFlashedTo(deviceId: string, version: string): boolean {
    return this.flashedTo.get(deviceId)?.has(version) ?? false;
  }

  /** An unused supervisor override allowing one more flash of this hub to `version`. */
  overrideFor(deviceId: string, version: string): { supervisorId: string; reason: string } | null {
    return this.overrides.get(`${deviceId}|${version}`) ?? null;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.handle.close();
  }

  private apply(r: JournalRecord): void {
    switch (r.t) {
      case "attempt-started":
        this.started.set(r.attemptId, r);
        this.overrides.delete(`${r.deviceId}|${r.toVersion}`); // an override is used by the attempt it allowed
        return;
      case "attempt-closed":
        this.started.delete(r.attemptId);
        return;
      case "item":
        this.pendingItems.set(r.item.id, noticeInPayload(r.item));
        if (r.item.attemptId) this.started.delete(r.item.attemptId);
        if (r.item.kind === "flash.result" && r.item.payload.outcome === "flashed") {
          const set = this.flashedTo.get(r.item.payload.deviceId) ?? new Set<string>();
          set.add(r.item.payload.toVersion);
          this.flashedTo.set(r.item.payload.deviceId, set);
        }
        return;
      case "override":
        this.overrides.set(`${r.deviceId}|${r.toVersion}`, { supervisorId: r.supervisorId, reason: r.reason });
        return;
      case "ack":
        for (const id of r.ids) this.pendingItems.delete(id);
        return;
    }
  }
}

/** A journal written before notices moved into the event payload held them beside it: move it in. */
function noticeInPayload(item: JournalItem): JournalItem {
  if (item.notice === undefined) return item;
  const { notice, ...rest } = item;
  return rest.kind === "flash.result" && rest.payload.outcome === "flashed" && rest.payload.notice === undefined
    ? { ...rest, payload: { ...rest.payload, notice } }
    : rest;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
