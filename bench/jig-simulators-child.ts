/**
 * The simulated jigs of bench/jig.ts in a process of their own (issue 22), so the bench's
 * process CPU is the host's alone: a jig's own work (hashing the image as it arrives,
 * programming timers) is not the host's. Spoken to over stdin/stdout in frames (jig-link-frames.ts):
 * the host's output reports in, the jigs' input reports out, and the technician's hands
 * (seat, remove) in the same stream so they keep their order with the reports.
 * Not a bench of its own (bench/run-all.ts skips *-child.ts).
 */
import { createMemoryTransportPair } from "../hardware/hid/memory-transport";
import { SimulatedJig, simulatedJigInfo, type SimulatedHub } from "../hardware/jig/simulated-jig";
import { FRAME, FrameReader, frame } from "./jig-link-frames";

const jigs: Array<{ jig: SimulatedJig; write: (r: Uint8Array) => Promise<void> }> = [];
const out = (b: Buffer): void => void process.stdout.write(b);

const reader = new FrameReader((type, jig, slot, payload) => {
  if (type === FRAME.create) {
    const o = JSON.parse(payload.toString("utf8")) as { serial: string; flashTimeMs: number; progressTicks: number };
    const pair = createMemoryTransportPair(simulatedJigInfo(o.serial));
    const sim = new SimulatedJig(pair.device, o);
    const index = jigs.length;
    pair.host.onReport((r) => out(frame(FRAME.toHost, index, 0, r)));
    void pair.host.open();
    jigs.push({ jig: sim, write: (r) => pair.host.write(r) });
    return;
  }
  if (type === FRAME.cpu) {
    out(frame(FRAME.cpu, 0, 0, Buffer.from(JSON.stringify(process.cpuUsage()))));
    return;
  }
  if (type === FRAME.end) {
    for (const j of jigs) j.jig.dispose();
    process.stdin.destroy();
    return;
  }
  const j = jigs[jig];
  if (j === undefined) throw new Error(`no simulated jig ${jig}`);
  if (type === FRAME.toDevice) void j.write(new Uint8Array(payload));
  else if (type === FRAME.seat) j.jig.seatHub(slot, JSON.parse(payload.toString("utf8")) as SimulatedHub);
  else if (type === FRAME.remove) j.jig.removeHub(slot);
});
process.stdin.on("data", (chunk: Buffer) => reader.push(chunk));
