import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openHardwareJournal } from "./hardware-journal";
import { FlashJournal } from "./jig/flash-journal";
import { openScanJournal } from "./scan-journal";

/**
 * Issue 21: the host's journals (hardware results, jig flash journal, HID-POS reads) proven with
 * kills. A child process writes one journal as fast as it can and is SIGKILLed at a random
 * point; the journal is then reopened, as the host does after a crash. Every record whose write
 * had resolved (and so had been shown or passed on) must be there, every removal that had
 * resolved must hold, and the file must open (never torn beyond a tail the reader cuts off).
 * A kill does not lose the page cache as a power cut does: what a kill proves is the order
 * (acknowledged only once written) and atomic replacement; the fsyncs of file and directory,
 * in the code, are what carry that through a power cut.
 */

const KILLS = Number(process.env.JOURNAL_KILLS ?? 6);
const CHILD = join(import.meta.dirname, "journal-kill-child.ts");
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Seeded, so a failing run can be repeated. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the writer, kills it `afterMs` after it is ready, and returns what it had said. */
function writeAndKill(
  kind: string,
  dir: string,
  afterMs: number,
): Promise<{ acked: string[]; dropping: string[]; dropped: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, kind, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let armed = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!armed && out.includes("READY\n")) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), afterMs);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`writer exited by itself: ${err.slice(0, 500)}`));
      // Only whole lines: a line cut by the kill was never fully said.
      const lines = out.split("\n").slice(0, -1);
      resolve({
        acked: lines.filter((l) => l.startsWith("ACK ")).map((l) => l.slice(4)),
        dropping: lines.filter((l) => l.startsWith("DROPPING ")).map((l) => l.slice(9)),
        dropped: lines.filter((l) => l.startsWith("DROP ")).map((l) => l.slice(5)),
      });
    });
  });
}

/** What the journal holds after a restart, read with the host's own code. */
async function recovered(kind: string, dir: string): Promise<string[]> {
  if (kind === "hardware") return (await openHardwareJournal(dir)).pending().entries.map((e) => e.id);
  if (kind === "flash")
    return (await FlashJournal.open(join(dir, "flash-journal.jsonl"))).interrupted().map((a) => a.attemptId);
  const j = await openScanJournal(dir, { compactBytes: 4096 });
  const ids = j.pending().reads.map((r) => r.readId);
  await j.close();
  return ids;
}

describe.each(["hardware", "flash", "scan"])("the %s journal under SIGKILL", (kind) => {
  it(`keeps every acknowledged record and every resolved removal through ${KILLS} kills at random points`, async () => {
    const dir = await mkdtemp(join(tmpdir(), `journal-kill-${kind}-`));
    dirs.push(dir);
    const random = prng(0x5eed + kind.length);
    const live = new Set<string>();
    const gone = new Set<string>();
    let acks = 0;
    for (let k = 0; k < KILLS; k++) {
      const { acked, dropping, dropped } = await writeAndKill(kind, dir, 20 + Math.floor(random() * 400));
      acks += acked.length;
      for (const id of acked) live.add(id);
      for (const id of dropped) {
        live.delete(id);
        gone.add(id);
      }
      // The host restarts on the journal: it opens (a torn tail is cut off, nothing else is).
      const back = new Set(await recovered(kind, dir));
      // A removal in flight at the kill (started, not yet resolved) may have reached the disk or not.
      const inFlight = new Set(dropping.filter((id) => !dropped.includes(id)));
      for (const id of inFlight) if (!back.has(id)) live.delete(id);
      const lost = [...live].filter((id) => !back.has(id));
      const resurrected = [...gone].filter((id) => back.has(id));
      expect(lost, `kill ${k + 1}: acknowledged records missing`).toEqual([]);
      expect(resurrected, `kill ${k + 1}: removed records back`).toEqual([]);
      // What the reopened journal holds beyond what was acknowledged can only be writes in flight at the kill.
      for (const id of back) if (!live.has(id)) live.add(id);
    }
    // Each run wrote before it was killed, or the test proved nothing.
    expect(acks).toBeGreaterThan(KILLS);
    if (kind === "hardware") {
      const text = await readFile(join(dir, "hardware-journal.json"), "utf8");
      expect(() => JSON.parse(text) as unknown).not.toThrow();
    }
    console.log(
      `journal kill (${kind}): ${KILLS} kills, ${acks} acknowledged writes, 0 lost, 0 removed records back, files: ${(await readdir(dir)).join(", ")}`,
    );
  }, 180_000);
});
