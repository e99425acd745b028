/**
 * Fault campaign for the scan parser alone: damaged reads of our own labels (characters
 * swapped, dropped, doubled, control characters injected, separators lost), very long
 * inputs and lone surrogates. Whatever arrives, parseScan must not throw, must keep the
 * raw text, must refuse with a known code and a reason a person can act on, and must
 * never hand on an SSCC that fails its check digit or a hub ID not in canonical form.
 *
 * The mutation loop uses a seeded PRNG (replayable, far cheaper per case than fast-check
 * shrinking); fast-check drives the smaller properties.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseScan } from "./scan-parser";
import type { ParsedScan, UnreadableCode } from "./scan";
import { isCanonicalDeviceId } from "./device-id";
import {
  encodeBookingLabel,
  encodeCartonLabel,
  encodeHubLabel,
  encodePalletLabel,
  isValidSscc,
  makeSscc,
  type EncodedLabel,
  type LabelError,
} from "./labels";
import { mulberry32 as prng } from "./seeded-random";

const CODES: readonly UnreadableCode[] = [
  "empty",
  "bad-characters",
  "wrong-length",
  "bad-check-digit",
  "unknown-ai",
  "malformed-gs1",
  "unknown-format",
];

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function ok(l: EncodedLabel | LabelError): EncodedLabel {
  if (!l.ok) throw new Error(l.reason);
  return l;
}

function label(r: Rand): string {
  const ref = () =>
    Array.from({ length: int(r, 4, 12) }, () => pick(r, [..."ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-"])).join("");
  const made = makeSscc(Array.from({ length: 16 }, () => String(int(r, 0, 9))).join(""), int(r, 0, 9));
  if (!made.ok) throw new Error(made.reason);
  const hub = Array.from({ length: 8 }, () => int(r, 0, 255).toString(16).padStart(2, "0").toUpperCase()).join("-");
  switch (int(r, 0, 4)) {
    case 0:
      return ok(encodeBookingLabel({ bookingRef: ref(), deliveryRef: ref() })).scan;
    case 1:
      return ok(encodePalletLabel({ sscc: made.sscc, bookingRef: ref() })).scan;
    case 2:
      return ok(encodeCartonLabel({ sscc: made.sscc, bookingRef: ref(), hubCount: int(r, 0, 64) })).scan;
    case 3:
      return ok(encodeHubLabel({ deviceId: hub })).scan;
    default:
      return hub;
  }
}

const NOISE = [
  "\x00",
  "\x1d",
  "\r",
  "\n",
  "\t",
  "\x7f",
  "\x1b",
  "\u241d",
  "^]",
  "<GS>",
  "(",
  ")",
  " ",
  "]C1",
  "é",
  "\ud800",
  "\udc00",
  "０",
];

/** One to three of the damages a wedge, a scanner or a worn label does to a read. */
function mutate(r: Rand, s: string): string {
  let out = s;
  for (let n = int(r, 1, 3); n > 0; n--) {
    const at = int(r, 0, Math.max(0, out.length - 1));
    switch (int(r, 0, 6)) {
      case 0:
        out = out.slice(0, at) + String.fromCharCode(int(r, 0x20, 0x7e)) + out.slice(at + 1);
        break; // misread character
      case 1:
        out = out.slice(0, at) + out.slice(at + 1);
        break; // dropped character
      case 2:
        out = out.slice(0, at) + (out[at] ?? "") + out.slice(at);
        break; // doubled key
      case 3:
        out = out.slice(0, at) + pick(r, NOISE) + out.slice(at);
        break; // control or look-alike injected
      case 4:
        out = out.replaceAll("\x1d", "");
        break; // FNC1 lost
      case 5:
        out = out.slice(0, at);
        break; // truncated
      default:
        out = out + pick(r, NOISE) + label(r);
        break; // two reads run together
    }
  }
  return out;
}

/** A refusal a person can act on: known code, more than a word, not a catch-all phrase. */
function problemWith(p: ParsedScan, raw: string): string | null {
  if (p.raw !== raw) return "raw text not kept";
  if (p.kind === "unreadable") {
    if (!CODES.includes(p.code)) return `unknown code ${p.code}`;
    if (p.reason.trim().length < 12 || /^(error|invalid|unknown|unreadable|failed)\.?$/i.test(p.reason.trim()))
      return `vague reason "${p.reason}"`;
    return null;
  }
  if ((p.kind === "pallet" || p.kind === "carton") && !isValidSscc(p.sscc))
    return `SSCC ${p.sscc} with a bad check digit passed`;
  if (p.kind === "hub" && !isCanonicalDeviceId(p.deviceId)) return `hub ID ${p.deviceId} not canonical`;
  return null;
}

describe("fault campaign: the scan parser under damaged and hostile input", () => {
  it("40,000 damaged label reads: never throws, every refusal coded and explained, no bad SSCC or hub ID passes", () => {
    const SEED = 0xfa017;
    const r = prng(SEED);
    const problems: string[] = [];
    const byKind = new Map<string, number>();
    let throws = 0;
    const N = 40_000;
    for (let i = 0; i < N; i++) {
      const raw = mutate(r, label(r));
      let p: ParsedScan;
      try {
        p = parseScan(raw);
      } catch (e) {
        throws++;
        problems.push(`#${i} threw ${String(e)} on ${JSON.stringify(raw)}`);
        continue;
      }
      byKind.set(
        p.kind === "unreadable" ? p.code : p.kind,
        (byKind.get(p.kind === "unreadable" ? p.code : p.kind) ?? 0) + 1,
      );
      const bad = problemWith(p, raw);
      if (bad) problems.push(`#${i} ${bad}: ${JSON.stringify(raw)}`);
    }
    const refused = CODES.reduce((n, c) => n + (byKind.get(c) ?? 0), 0);
    console.log(
      `campaign | tried | refused with reason | lost/duplicated | expected\n` +
        `parser damaged-read fuzz (seed ${SEED}) | ${N} | ${refused} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")}) | ${throws} throws, ${problems.length} problems | 0 throws, 0 problems`,
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(refused).toBeGreaterThan(N / 2);
  });

  it("very long reads (up to 1 MB) and runs of control characters are refused with a reason, not a crash", () => {
    const r = prng(7);
    const inputs = [
      "A".repeat(1_000_000),
      "0".repeat(200_000),
      "\x1d".repeat(100_000),
      `]C1${"00".repeat(50_000)}`,
      `(00)${"(".repeat(10_000)}`,
      "\0".repeat(10_000),
      Array.from({ length: 100_000 }, () => String.fromCharCode(int(r, 0, 0x1f))).join(""),
      `${label(r)}${"\x1d91RFD1-PAL".repeat(5_000)}`,
      "\ud800".repeat(1000),
    ];
    for (const raw of inputs) {
      const p = parseScan(raw);
      expect(problemWith(p, raw)).toBeNull();
      expect(p.kind).toBe("unreadable");
    }
  });

  it("property: any string of UTF-16 units, lone surrogates included, gets a verdict with a reason", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(...NOISE, "0", "9", "A", "F", "-", ":"), maxLength: 80 }),
        ),
        (raw) => {
          expect(problemWith(parseScan(raw), raw)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: a label wrapped in any scanner edge noise is recovered exactly", () => {
    const edge = fc.string({ unit: fc.constantFrom(" ", "\t", "\r", "\n", "\0"), maxLength: 6 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), edge, edge, (seed, before, after) => {
        const clean = label(prng(seed));
        const expected = parseScan(clean);
        expect(expected.kind).not.toBe("unreadable");
        const { raw: _r, ...want } = expected;
        const { raw: _w, ...got } = parseScan(`${before}${clean}${after}`);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
