/**
 * Fault campaign: 100,000 fuzzed scans through the keyboard-wedge reader and the one scan
 * parser, as the dock receives them: scanner bursts of our labels and hub IDs, interleaved
 * with people typing, garbage bursts, control characters, modifier keys and very long reads.
 *
 * A seeded PRNG drives the 100k loop rather than fast-check: shrinking and arbitrary
 * bookkeeping cost ~20x more per case, and a fixed seed replays any failure exactly
 * (the failing case index and seed are in the assertion message). fast-check covers the
 * smaller properties below.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_WEDGE_CONFIG, WedgeReader, type WedgeConfig, type WedgeKey, type WedgeScan } from "./wedge-reader";
import { parseScan } from "../../../shared/domain/scan-parser";
import type { ParsedScan } from "../../../shared/domain/scan";
import {
  encodeBookingLabel,
  encodeCartonLabel,
  encodeHubLabel,
  encodePalletLabel,
  makeSscc,
  type EncodedLabel,
  type LabelError,
} from "../../../shared/domain/labels";
import { mulberry32 as prng } from "../../../shared/domain/seeded-random";

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const HEX = [..."0123456789ABCDEF"];
const REF_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"];

function ok(l: EncodedLabel | LabelError): EncodedLabel {
  if (!l.ok) throw new Error(l.reason);
  return l;
}

/** What a noise-free burst must parse back to (raw aside). */
type Expected =
  Exclude<ParsedScan, { kind: "unreadable" }> extends infer P
    ? P extends { raw: string }
      ? Omit<P, "raw">
      : never
    : never;

const ref = (r: Rand) => Array.from({ length: int(r, 4, 20) }, () => pick(r, REF_CHARS)).join("");
const sscc = (r: Rand) => {
  const made = makeSscc(Array.from({ length: 16 }, () => String(int(r, 0, 9))).join(""), int(r, 0, 9));
  if (!made.ok) throw new Error(made.reason);
  return made.sscc;
};
const octets = (r: Rand) => Array.from({ length: 8 }, () => pick(r, HEX) + pick(r, HEX));

/** One of our labels or a plain hub ID, as the scanner's text (AIM prefix included) and what it means. */
function validRead(r: Rand): { text: string; expected: Expected } {
  switch (int(r, 0, 5)) {
    case 0: {
      const bookingRef = ref(r),
        deliveryRef = ref(r);
      return {
        text: ok(encodeBookingLabel({ bookingRef, deliveryRef })).scan,
        expected: { kind: "booking-label", bookingRef, deliveryRef },
      };
    }
    case 1: {
      const s = sscc(r),
        bookingRef = r() < 0.5 ? ref(r) : null;
      return {
        text: ok(encodePalletLabel({ sscc: s, bookingRef })).scan,
        expected: { kind: "pallet", sscc: s, bookingRef },
      };
    }
    case 2: {
      const s = sscc(r),
        bookingRef = r() < 0.5 ? ref(r) : null,
        hubCount = r() < 0.5 ? int(r, 0, 9999) : null;
      return {
        text: ok(encodeCartonLabel({ sscc: s, bookingRef, hubCount })).scan,
        expected: { kind: "carton", sscc: s, bookingRef, hubCount },
      };
    }
    case 3: {
      const o = octets(r);
      return {
        text: ok(encodeHubLabel({ deviceId: o.join("-") })).scan,
        expected: { kind: "hub", deviceId: o.join("-") },
      };
    }
    default: {
      // A manufacturer's Code 128 hub ID in any notation, with or without an AIM prefix.
      const o = octets(r);
      const notation = pick(r, [o.join("-"), o.join(":").toLowerCase(), o.join(""), o.join(" ")]);
      return { text: `${pick(r, ["", "]C0", "]C1"])}${notation}`, expected: { kind: "hub", deviceId: o.join("-") } };
    }
  }
}

/** Keys that are not text, or text with modifiers: what a keyboard or a confused scanner may send. */
const ODD_KEYS = [
  "Shift",
  "Control",
  "Alt",
  "Meta",
  "CapsLock",
  "Dead",
  "Unidentified",
  "ArrowLeft",
  "Backspace",
  "Escape",
  "F5",
  "F12",
  "Process",
  "Enter",
  "Tab",
];

function garbageKey(r: Rand): Omit<WedgeKey, "time"> {
  const p = r();
  if (p < 0.55) return { key: String.fromCharCode(int(r, 0x20, 0x7e)), ctrlKey: false, altKey: false };
  if (p < 0.7) return { key: String.fromCharCode(int(r, 0, 0x1f)), ctrlKey: false, altKey: false };
  if (p < 0.8) return { key: String.fromCodePoint(int(r, 0xa0, 0x2fff)), ctrlKey: false, altKey: false };
  if (p < 0.9) return { key: pick(r, ODD_KEYS), ctrlKey: r() < 0.2, altKey: r() < 0.2 };
  return { key: pick(r, ["]", "5", "a", "v", "Enter", "Tab", "\x1d"]), ctrlKey: r() < 0.7, altKey: r() < 0.3 };
}

/** Types a scanner read: 0-20 ms apart, GS as Ctrl+] or as the GS key itself, then the suffix. */
function burstKeys(r: Rand, text: string, suffix: "Enter" | "Tab"): Array<Omit<WedgeKey, "time"> & { gap: number }> {
  const gsAsCtrl = r() < 0.5;
  const keys = [...text].map((ch) =>
    ch === "\x1d" && gsAsCtrl ? { key: "]", ctrlKey: true, altKey: false } : { key: ch, ctrlKey: false, altKey: false },
  );
  return [...keys, { key: suffix, ctrlKey: false, altKey: false }].map((k, i) => ({
    ...k,
    gap: i === 0 ? 0 : int(r, 0, 20),
  }));
}

interface Tally {
  tried: number;
  valid: number;
  recovered: number;
  lost: number;
  misread: number;
  garbageScans: number;
  unreadable: number;
  vagueRefusals: number;
  throws: number;
  slowTypingScans: number;
  codes: Map<string, number>;
}

/** Judges one parse: it must not throw, and an unreadable must carry a code and a specific reason. */
function judge(t: Tally, raw: string): ParsedScan | null {
  let p: ParsedScan;
  try {
    p = parseScan(raw);
  } catch {
    t.throws++;
    return null;
  }
  if (p.kind === "unreadable") {
    t.unreadable++;
    t.codes.set(p.code, (t.codes.get(p.code) ?? 0) + 1);
    if (!isSpecific(p.reason)) t.vagueRefusals++;
  }
  return p;
}

/** A reason a person can act on: more than a word, and not one of the catch-all phrases. */
function isSpecific(reason: string): boolean {
  return reason.trim().length >= 12 && !/^(error|invalid|bad input|unknown|unreadable|failed)\.?$/i.test(reason.trim());
}

function runCampaign(seed: number, total: number, config: WedgeConfig): Tally {
  const r = prng(seed);
  const reader = new WedgeReader(config);
  const t: Tally = {
    tried: 0,
    valid: 0,
    recovered: 0,
    lost: 0,
    misread: 0,
    garbageScans: 0,
    unreadable: 0,
    vagueRefusals: 0,
    throws: 0,
    slowTypingScans: 0,
    codes: new Map(),
  };
  let now = 1_000;
  // One key record reused for every key (the reader copies what it needs): 3 million keys allocate nothing.
  const key: WedgeKey = { key: "", ctrlKey: false, altKey: false, time: 0 };
  const feed = (k: Omit<WedgeKey, "time">): WedgeScan | null => {
    key.key = k.key;
    key.ctrlKey = k.ctrlKey;
    key.altKey = k.altKey;
    key.time = now;
    return reader.feed(key).scan;
  };
  const type = (ch: string, ctrlKey: boolean): WedgeScan | null => {
    key.key = ch;
    key.ctrlKey = ctrlKey;
    key.altKey = false;
    key.time = now;
    return reader.feed(key).scan;
  };
  const idle = (): WedgeScan | null => {
    // The listener's timer: the keys stopped, so a suffix-less burst would end here.
    now += config.maxInterKeyMs + int(r, 1, 400);
    return reader.flush(now);
  };
  while (t.tried < total) {
    t.tried++;
    const kind = r();
    if (kind < 0.6) {
      // A noise-free scanner burst: must come out exactly once, exactly as encoded.
      t.valid++;
      const { text, expected } = validRead(r);
      const mine: WedgeScan[] = [];
      idle();
      // As burstKeys types it, inlined: GS as Ctrl+] or as the GS key, keys 0-20 ms apart, then the suffix.
      const gsAsCtrl = r() < 0.5;
      for (let i = 0; i <= text.length; i++) {
        if (i > 0) now += int(r, 0, 20);
        const ch = i < text.length ? (text[i] as string) : r() < 0.5 ? "Enter" : "Tab";
        const s = ch === "\x1d" && gsAsCtrl ? type("]", true) : type(ch, false);
        if (s) mine.push(s);
      }
      const p = mine.length === 1 && mine[0] ? judge(t, mine[0].raw) : null;
      if (mine.length !== 1 || mine[0]?.raw !== text) t.lost++;
      else if (p === null || p.kind === "unreadable" || JSON.stringify(withoutRaw(p)) !== JSON.stringify(expected))
        t.misread++;
      else t.recovered++;
    } else if (kind < 0.8) {
      // A garbage burst at scanner speed: control characters, modifiers, stray suffixes; 1 in 200 very long.
      idle();
      const n = r() < 0.005 ? int(r, 1_000, 5_000) : int(r, 1, 60);
      for (let i = 0; i < n; i++) {
        now += int(r, 0, 20);
        const s = feed(garbageKey(r));
        if (s) {
          t.garbageScans++;
          judge(t, s.raw);
        }
      }
      now += int(r, 0, 20);
      const end = feed({ key: pick(r, ["Enter", "Tab", "a"]), ctrlKey: false, altKey: false });
      if (end) {
        t.garbageScans++;
        judge(t, end.raw);
      }
    } else {
      // A person typing (slower than any scanner): never a scan.
      idle();
      const n = int(r, 1, 30);
      for (let i = 0; i < n; i++) {
        now += int(r, config.maxInterKeyMs + 1, 400);
        const k = r() < 0.1 ? { key: pick(r, ["Enter", "Tab"]), ctrlKey: false, altKey: false } : garbageKey(r);
        if (feed(k)) t.slowTypingScans++;
      }
    }
  }
  return t;
}

function withoutRaw(p: ParsedScan): Omit<ParsedScan, "raw"> {
  const { raw: _raw, ...rest } = p;
  return rest;
}

describe("fault campaign: fuzzed scans through the wedge reader and the parser", () => {
  it("100,000 scans: every noise-free burst recovered exactly once, nothing throws, every refusal explained", () => {
    const SEED = 0x5ca77e55;
    const t = runCampaign(SEED, 100_000, DEFAULT_WEDGE_CONFIG);
    const refused = t.unreadable;
    console.log(
      `campaign | tried | refused with reason | lost/duplicated | expected\n` +
        `wedge+parser fuzz (seed ${SEED}) | ${t.tried} (${t.valid} label/hub bursts, ${t.garbageScans} garbage reads) | ${refused} (${[...t.codes].map(([c, n]) => `${c} ${n}`).join(", ")}) | lost ${t.lost}, misread ${t.misread}, vague ${t.vagueRefusals}, throws ${t.throws}, slow typing read as scan ${t.slowTypingScans} | 0 lost, 0 misread, 0 vague`,
    );
    expect(t.tried).toBe(100_000);
    expect({
      lost: t.lost,
      misread: t.misread,
      throws: t.throws,
      vague: t.vagueRefusals,
      slowTypingScans: t.slowTypingScans,
    }).toEqual({ lost: 0, misread: 0, throws: 0, vague: 0, slowTypingScans: 0 });
    expect(t.recovered).toBe(t.valid);
    // The campaign really exercised the refusal paths, not only the happy ones.
    expect(t.garbageScans).toBeGreaterThan(1_000);
    expect(t.codes.size).toBeGreaterThanOrEqual(4);
  });

  it("with a fixed prefix and no suffix (idle-ended), bursts still come out exactly", () => {
    const cfg: WedgeConfig = { ...DEFAULT_WEDGE_CONFIG, prefix: "", suffixes: [] };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = prng(seed);
        const { text, expected } = validRead(r);
        const reader = new WedgeReader(cfg);
        let now = 0;
        const scans: WedgeScan[] = [];
        for (const k of burstKeys(r, text, "Enter").slice(0, -1)) {
          now += k.gap;
          const s = reader.feed({ ...k, time: now }).scan;
          if (s) scans.push(s);
        }
        const s = reader.flush(now + cfg.maxInterKeyMs + 1);
        if (s) scans.push(s);
        expect(scans.map((x) => x.raw)).toEqual([text]);
        expect(withoutRaw(parseScan(scans[0]?.raw ?? ""))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("a read split by a stall longer than the threshold never passes as the whole read", () => {
    // The head before the stall is dropped (it had no suffix); at most the tail comes out, and it is parsed like any scan.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 51, max: 2_000 }), (seed, stall) => {
        const r = prng(seed);
        const { text } = validRead(r);
        const cut = int(r, 1, text.length - 1);
        const reader = new WedgeReader();
        let now = 0;
        const raws: string[] = [];
        burstKeys(r, text, "Enter").forEach((k, i) => {
          now += i === cut ? stall : k.gap;
          const s = reader.feed({ ...k, time: now }).scan;
          if (s) raws.push(s.raw);
        });
        expect(raws.length).toBeLessThanOrEqual(1);
        for (const raw of raws) {
          expect(raw).not.toBe(text);
          expect(text.endsWith(raw)).toBe(true);
          const p = parseScan(raw);
          if (p.kind === "unreadable") expect(isSpecific(p.reason)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
