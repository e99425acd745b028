import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScannerScan } from "../shared/bridge/channels";
import { openScanJournal, SCAN_JOURNAL_FILE } from "./scan-journal";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dock-scan-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scan = (raw: string): ScannerScan => ({
  source: "hid-pos",
  raw,
  at: "2026-12-04T09:00:00.000Z",
  scannerId: "SCN-1",
});

describe("HID-POS read journal", () => {
  it("keeps every unacknowledged read across a restart, in the order read, with its id", async () => {
    const first = await openScanJournal(dir);
    const a = await first.append(scan("A"));
    const b = await first.append(scan("B"));
    const c = await first.append(scan("C"));
    await first.ack([b.readId]);
    await first.close();
    const reopened = await openScanJournal(dir);
    expect(reopened.pending()).toEqual({ reads: [a, c], total: 2 });
    await reopened.close();
  });

  it("is on disk when append resolves (the line is in the file before anyone is told)", async () => {
    const journal = await openScanJournal(dir);
    const read = await journal.append(scan("]C100393999000000000019"));
    const text = await readFile(join(dir, SCAN_JOURNAL_FILE), "utf8");
    expect(text).toContain(read.readId);
    await journal.close();
  });

  it("ignores unknown and repeated acknowledgements", async () => {
    const journal = await openScanJournal(dir);
    const a = await journal.append(scan("A"));
    expect(await journal.ack([a.readId, a.readId])).toEqual({ acknowledged: 1, remaining: 0 });
    expect(await journal.ack([a.readId])).toEqual({ acknowledged: 0, remaining: 0 });
    await journal.close();
  });

  it("drops a torn last line (a crash mid-append: nobody was told of that read) and stops on a bad line before it", async () => {
    const journal = await openScanJournal(dir);
    const a = await journal.append(scan("A"));
    await journal.close();
    const file = join(dir, SCAN_JOURNAL_FILE);
    await appendFile(file, '{"t":"read","read":{"sour');
    const reopened = await openScanJournal(dir);
    expect(reopened.pending().reads).toEqual([a]);
    await reopened.close();
    await writeFile(file, `garbage\n${await readFile(file, "utf8")}`);
    await expect(openScanJournal(dir)).rejects.toThrow(/scan-journal\.jsonl line 1 is unreadable/);
  });

  it("compacts at open and empties the file once nothing is pending past the size limit", async () => {
    const journal = await openScanJournal(dir, { compactBytes: 2000 });
    const file = join(dir, SCAN_JOURNAL_FILE);
    for (let i = 0; i < 20; i++) await journal.ack([(await journal.append(scan(`HUB-${i}`))).readId]);
    expect((await stat(file)).size).toBeLessThan(2000 + 400);
    const kept = await journal.append(scan("KEPT"));
    await journal.close();
    const reopened = await openScanJournal(dir);
    expect(reopened.pending().reads).toEqual([kept]);
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(1);
    await reopened.close();
  });

  it("property: after any appends and acks, a restart holds exactly the reads not acknowledged", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            raw: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /^[\x01-\xff]+$/.test(s)),
            ack: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        async (ops) => {
          const d = await mkdtemp(join(tmpdir(), "dock-scan-journal-p-"));
          try {
            const journal = await openScanJournal(d, { compactBytes: 500 });
            const expected = [];
            for (const op of ops) {
              const read = await journal.append(scan(op.raw));
              if (op.ack) await journal.ack([read.readId]);
              else expected.push(read);
            }
            await journal.close();
            const reopened = await openScanJournal(d);
            expect(reopened.pending().reads).toEqual(expected);
            await reopened.close();
          } finally {
            await rm(d, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("in memory without a data dir", async () => {
    const journal = await openScanJournal(null);
    const a = await journal.append(scan("A"));
    expect(journal.pending(1)).toEqual({ reads: [a], total: 1 });
    expect(await journal.ack([a.readId])).toEqual({ acknowledged: 1, remaining: 0 });
  });
});
