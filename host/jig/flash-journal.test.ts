import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FlashJournal } from "./flash-journal";

const at = "2026-11-26T09:00:00.000Z";
const path = () => join(mkdtempSync(join(tmpdir(), "journal-")), "j.jsonl");
const started = (n: number) => ({
  t: "attempt-started" as const,
  attemptId: `a-${n}`,
  deviceId: "88-73-84-57-00-2F-96-1E",
  jigId: "JIG-A",
  slot: n % 8,
  model: "010A030B",
  fromVersion: "0002012F",
  toVersion: "00020200",
  imageSha256: "0".repeat(64),
  attempt: 1,
  at,
});

describe("FlashJournal", () => {
  it("group-commits concurrent appends: every record on disk, one line each, in call order", async () => {
    const p = path();
    const j = await FlashJournal.open(p);
    await Promise.all(Array.from({ length: 40 }, (_, n) => j.append(started(n))));
    await j.close();
    const lines = (await readFile(p, "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { attemptId: string }).attemptId)).toEqual(
      Array.from({ length: 40 }, (_, n) => `a-${n}`),
    );
    const again = await FlashJournal.open(p);
    expect(again.interrupted()).toHaveLength(40);
    await again.close();
  });

  it("refuses a record that does not match its schema, and writes nothing", async () => {
    const p = path();
    const j = await FlashJournal.open(p);
    await expect(j.append({ ...started(1), deviceId: "nope" })).rejects.toThrow();
    await j.close();
    expect(await readFile(p, "utf8")).toBe("");
  });

  it("an override is used up by the attempt it allowed", async () => {
    const j = await FlashJournal.open(path());
    await j.append({
      t: "override",
      deviceId: "88-73-84-57-00-2F-96-1E",
      toVersion: "00020200",
      supervisorId: "sup",
      reason: "re-verify",
      at,
    });
    expect(j.overrideFor("88-73-84-57-00-2F-96-1E", "00020200")).toEqual({ supervisorId: "sup", reason: "re-verify" });
    await j.append(started(1));
    expect(j.overrideFor("88-73-84-57-00-2F-96-1E", "00020200")).toBeNull();
    await j.close();
  });

  it("a journal written before notices moved into the event payload: the notice is read into the payload", async () => {
    const p = path();
    const payload = {
      jigId: "JIG-A",
      slot: 0,
      deviceId: "88-73-84-57-00-2F-96-1E",
      outcome: "flashed",
      fromVersion: "0002012F",
      toVersion: "00020200",
      readBackVersion: "00020200",
      imageSha256: "0".repeat(64),
      attempts: 1,
      stepTimingsMs: {},
      failure: null,
    };
    const item = {
      id: "01a218cd-74f1-7357-930b-1f082c6f1a10",
      kind: "flash.result",
      recordedAt: at,
      attemptId: null,
      notice: "image withdrawn since",
      payload,
    };
    await writeFile(p, `${JSON.stringify({ t: "item", item })}\n`);
    const j = await FlashJournal.open(p);
    const [read, ...more] = j.pending();
    expect(more).toEqual([]);
    expect(read).not.toHaveProperty("notice");
    expect(read?.payload).toEqual({ ...payload, notice: "image withdrawn since" });
    await j.close();
  });
});
