/**
 * Bench: the firmware check before anything goes to a jig — SHA-256 of a 16 MiB image
 * plus the Ed25519 signature of its manifest (FirmwareStore.prepare on a store that has not yet checked it).
 * Target > 400 MB/s. Run: npx tsx bench/firmware.ts [--mib 16] [--runs 10]
 */
import { createHash, generateKeyPairSync, randomFillSync } from "node:crypto";
import { parseArgs } from "node:util";
import { describeImage, FirmwareStore, signManifest } from "../hardware/firmware/firmware-store";
import { machineInfo, reportFigure } from "./report";

const { values } = parseArgs({
  options: { mib: { type: "string", default: "16" }, runs: { type: "string", default: "10" } },
});
const mib = Number(values.mib);
const runs = Number(values.runs);
const MODEL = "010A030B";

const keys = generateKeyPairSync("ed25519");
const image = randomFillSync(new Uint8Array(mib * 2 ** 20));
const manifest = describeImage(image, MODEL, "00020200");
const signed = signManifest(manifest, keys.privateKey);
const store = new FirmwareStore(keys.publicKey);
store.add(signed, image);
const catalogue = [{ model: MODEL, version: "00020200", status: "production" as const, sha256: manifest.sha256 }];

console.log(machineInfo());
// Warm up once so JIT and page faults do not count against the first run.
if (!store.prepare(catalogue, MODEL).ok) throw new Error("image refused");

// A fresh store per run: a store checks an image once, and every run must do the full check.
const fresh = Array.from({ length: runs }, () => {
  const s = new FirmwareStore(keys.publicKey);
  s.add(signed, image);
  return s;
});
let t0 = performance.now();
for (const s of fresh) {
  const r = s.prepare(catalogue, MODEL);
  if (!r.ok) throw new Error(r.reason);
}
const full = performance.now() - t0;

t0 = performance.now();
for (let i = 0; i < runs; i++) createHash("sha256").update(image).digest();
const hashOnly = performance.now() - t0;

const mbps = (ms: number) => ((image.length * runs) / 1e6 / (ms / 1000)).toFixed(0);
console.log(
  `firmware check (SHA-256 + Ed25519 verify) of ${mib} MiB x ${runs}: ${mbps(full)} MB/s (${(full / runs).toFixed(1)} ms an image) target > 400 MB/s`,
);
console.log(`SHA-256 alone: ${mbps(hashOnly)} MB/s`);
reportFigure({
  figure: `SHA-256 + Ed25519 check of a ${mib} MiB image`,
  value: Number(mbps(full)),
  unit: "MB/s",
  target: "> 400 MB/s",
  met: Number(mbps(full)) > 400,
});
