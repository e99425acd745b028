/**
 * The writer the journal kill test (journal-kill.test.ts) SIGKILLs at random points: it opens one
 * of the host's journals in a folder and writes to it as fast as it can, printing `ACK <id>` once
 * an append has resolved (what the host would then tell the renderer or the jig) and `DROP <id>`
 * once the removal of an earlier record has resolved (`DROPPING <id>` before it starts). Usage: `tsx host/journal-kill-child.ts
 * hardware|flash|scan DIR`. Not part of the host: a test tool.
 */
import { mkdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { openHardwareJournal } from "./hardware-journal";
import { FlashJournal } from "./jig/flash-journal";
import { openScanJournal } from "./scan-journal";

const [kind, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: journal-kill-child.ts hardware|flash|scan DIR");

// Unbuffered: what is printed is exactly what had resolved when the kill came.
const say = (line: string) => writeSync(1, `${line}\n`);

interface Writer {
  append(n: number): Promise<string>;
  drop(id: string): Promise<void>;
}

async function writer(): Promise<Writer> {
  if (kind === "hardware") {
    const j = await openHardwareJournal(dir!);
    return {
      append: async (n) => (await j.append("flash.result", { n, pad: "x".repeat(n % 200) })).id,
      drop: async (id) => void (await j.ack([id])),
    };
  }
  if (kind === "flash") {
    mkdirSync(dir!, { recursive: true });
    const j = await FlashJournal.open(join(dir!, "flash-journal.jsonl"));
    const at = () => new Date().toISOString();
    return {
      append: async (n) => {
        const attemptId = `A-${process.pid}-${n}`;
        await j.append({
          t: "attempt-started",
          attemptId,
          deviceId: "00-1D-A0-00-00-00-00-01",
          jigId: "JIG-1",
          slot: n % 8,
          model: "010A030B",
          fromVersion: "0002012F",
          toVersion: "00030000",
          imageSha256: "a".repeat(64),
          attempt: 1,
          at: at(),
        });
        return attemptId;
      },
      drop: (id) => j.append({ t: "attempt-closed", attemptId: id, reason: "test", at: at() }),
    };
  }
  if (kind === "scan") {
    const j = await openScanJournal(dir!, { compactBytes: 4096 });
    return {
      append: async (n) =>
        (
          await j.append({
            source: "hid-pos",
            raw: `00-1D-A0-00-00-00-${String(n % 100).padStart(2, "0")}-01`,
            at: new Date().toISOString(),
            scannerId: "simulated",
          })
        ).readId,
      drop: async (id) => void (await j.ack([id])),
    };
  }
  throw new Error(`unknown journal ${kind}`);
}

const w = await writer();
say("READY");
const held: string[] = [];
for (let n = 0; ; n++) {
  // A few writes at once (as 24 slots finishing together), then the oldest is removed now and then.
  const ids = await Promise.all([0, 1, 2].map((k) => w.append(n * 3 + k)));
  for (const id of ids) {
    held.push(id);
    say(`ACK ${id}`);
  }
  if (n % 2 === 1) {
    const oldest = held.shift()!;
    // Said before: a removal in flight at the kill may or may not have reached the disk.
    say(`DROPPING ${oldest}`);
    await w.drop(oldest);
    say(`DROP ${oldest}`);
  }
}
