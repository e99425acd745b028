import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openHardwareJournal } from "./hardware-journal";
import { mergeOldestFirst } from "./host-services";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dock-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hardware journal", () => {
  it("keeps unacknowledged results across a host restart", async () => {
    const first = await openHardwareJournal(dir);
    const a = await first.append("jig.slot-result", { slot: 1 });
    await first.append("jig.slot-result", { slot: 2 });
    await first.ack([a.id]);
    const reopened = await openHardwareJournal(dir);
    expect(reopened.pending().entries.map((e) => e.payload)).toEqual([{ slot: 2 }]);
  });

  it("refuses to start over a corrupt file instead of silently dropping results", async () => {
    await writeFile(join(dir, "hardware-journal.json"), "{ torn");
    await expect(openHardwareJournal(dir)).rejects.toThrow(/hardware-journal\.json is not JSON/);
    expect(await readFile(join(dir, "hardware-journal.json"), "utf8")).toBe("{ torn");
  });

  it("refuses a payload that is not JSON and records nothing", async () => {
    const journal = await openHardwareJournal(null);
    await expect(journal.append("jig.slot-result", { at: new Date(0) })).rejects.toThrow();
    await expect(journal.append("Bad Kind", {})).rejects.toThrow();
    expect(journal.pending().total).toBe(0);
  });
});

describe("mergeOldestFirst", () => {
  it("keeps each journal's own order and interleaves by id", () => {
    const e = (id: string) => ({ id, kind: "jig.x", recordedAt: "2026-11-26T09:00:00.000Z", payload: null });
    // Same millisecond on the right, ids not in their append order: that order must survive.
    const left = [e("0190a000-0000-7000-8000-000000000001"), e("0190a000-0002-7000-8000-000000000000")];
    const right = [e("0190a000-0001-7fff-8000-000000000000"), e("0190a000-0001-7000-8000-000000000000")];
    expect(mergeOldestFirst(left, right).map((x) => x.id)).toEqual([
      left[0]?.id,
      right[0]?.id,
      right[1]?.id,
      left[1]?.id,
    ]);
  });
});
