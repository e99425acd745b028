import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, encodeFrameWith, MAX_PAYLOAD, REPORT_SIZE } from "./frame";
import type { JigEvent, JigMessage, JigRequest, JigResponse } from "./messages";
import {
  decodeMessage,
  encodeImageChunk,
  encodeMessage,
  JIG_STATUSES,
  MAX_CHUNK,
  MAX_WINDOW,
  REQUEST_TYPES,
  RESPONSE_FLAG,
  SLOT_STATES,
} from "./messages";

const slot = fc.integer({ min: 0, max: 7 });
const seq = fc.integer({ min: 0, max: 0xffff });
const hex8 = fc.integer({ min: 0, max: 0xffffffff }).map((v) => v.toString(16).toUpperCase().padStart(8, "0"));
const deviceId = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => [...b].map((x) => x.toString(16).toUpperCase().padStart(2, "0")).join("-"));
const sha = fc.uint8Array({ minLength: 32, maxLength: 32 });
const text = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 255,
});
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const failStatus = fc.constantFrom(...JIG_STATUSES.filter((s) => s !== "ok")) as fc.Arbitrary<
  Exclude<(typeof JIG_STATUSES)[number], "ok">
>;

const request: fc.Arbitrary<JigRequest> = fc.oneof(
  fc.constant({ kind: "identify" as const }),
  fc.record({
    kind: fc.constantFrom(
      "slot-status" as const,
      "read-identity" as const,
      "unlock" as const,
      "commit" as const,
      "verify" as const,
    ),
    slot,
  }),
  fc.record({ kind: fc.constant("begin-image" as const), slot, size: u32, version: hex8, sha256: sha }),
  fc.record({
    kind: fc.constantFrom("image-chunk" as const, "image-chunk-more" as const),
    slot,
    offset: u32,
    data: fc.uint8Array({ minLength: 1, maxLength: MAX_CHUNK }),
  }),
);
const response: fc.Arbitrary<JigResponse> = fc.oneof(
  fc.record({
    ok: fc.constant(true as const),
    slot: fc.constant(0xff),
    body: fc.record({
      kind: fc.constant("identify" as const),
      serial: text,
      slotCount: fc.integer({ min: 0, max: 255 }),
      firmware: text,
    }),
  }),
  fc.record({
    ok: fc.constant(true as const),
    slot,
    body: fc.oneof(
      fc.record({
        kind: fc.constant("slot-status" as const),
        state: fc.constantFrom(...SLOT_STATES),
        progress: fc.integer({ min: 0, max: 100 }),
      }),
      fc.record({ kind: fc.constant("read-identity" as const), deviceId, model: hex8, firmwareVersion: hex8 }),
      fc.record({ kind: fc.constantFrom("unlock" as const, "commit" as const) }),
      fc.record({ kind: fc.constant("begin-image" as const), window: fc.integer({ min: 1, max: MAX_WINDOW }) }),
      fc.record({ kind: fc.constant("image-chunk" as const), received: u32 }),
      fc.record({ kind: fc.constant("verify" as const), sha256: sha }),
    ),
  }),
  fc.record({
    ok: fc.constant(false as const),
    slot,
    kind: fc.constantFrom("unlock" as const, "image-chunk" as const, "verify" as const, "commit" as const),
    status: failStatus,
    message: text,
  }),
);
const event: fc.Arbitrary<JigEvent> = fc.oneof(
  fc.record({ kind: fc.constantFrom("hub-seated" as const, "hub-removed" as const), slot }),
  fc.record({
    kind: fc.constant("progress" as const),
    slot,
    percent: fc.integer({ min: 0, max: 100 }),
    bytesWritten: u32,
  }),
  fc.record({ kind: fc.constant("error" as const), slot, status: failStatus, message: text }),
);
const message: fc.Arbitrary<JigMessage> = fc.oneof(
  fc.record({ dir: fc.constant("request" as const), seq, request }),
  fc.record({ dir: fc.constant("response" as const), seq, response }),
  fc.record({ dir: fc.constant("event" as const), seq, event }),
);

describe("jig protocol codec", () => {
  it("round-trips every message through one report", () => {
    fc.assert(
      fc.property(message, (m) => {
        const report = encodeMessage(m);
        expect(report.length).toBe(REPORT_SIZE);
        expect(decodeMessage(report)).toEqual({ ok: true, message: m });
      }),
      { numRuns: 400 },
    );
  });

  it("rejects any report with 1 to 3 bits flipped, never misreading it", () => {
    fc.assert(
      fc.property(
        message,
        fc.uniqueArray(fc.integer({ min: 0, max: REPORT_SIZE * 8 - 1 }), { minLength: 1, maxLength: 3 }),
        (m, bits) => {
          const report = encodeMessage(m);
          for (const b of bits) report[b >> 3] = (report[b >> 3] ?? 0) ^ (1 << (b & 7));
          expect(decodeMessage(report).ok).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("rejects a burst overwrite of up to 4 bytes anywhere in the frame", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (m, at, junk) => {
        const report = encodeMessage(m);
        const start = at % (REPORT_SIZE - junk.length);
        const before = report.slice();
        report.set(junk, start);
        fc.pre(!before.every((v, i) => v === report[i]));
        expect(decodeMessage(report).ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("rejects truncated or extended reports", () => {
    fc.assert(
      fc.property(message, fc.integer({ min: 0, max: REPORT_SIZE + 8 }), (m, len) => {
        fc.pre(len !== REPORT_SIZE);
        const report = encodeMessage(m);
        const cut = new Uint8Array(len);
        cut.set(report.subarray(0, Math.min(len, REPORT_SIZE)));
        expect(decodeMessage(cut).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: REPORT_SIZE + 2 }), (bytes) => {
        const r = decodeMessage(bytes);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });

  it("rejects well-framed payloads that do not fit their message type, with a reason", () => {
    fc.assert(
      fc.property(
        seq,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 64 }),
        (s, type, sl, payload) => {
          const r = decodeMessage(encodeFrame({ seq: s, type, slot: sl, payload }));
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
          else expect(decodeMessage(encodeMessage(r.message))).toEqual(r);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("names the reason a frame is rejected", () => {
    const good = encodeFrame({ seq: 1, type: 1, slot: 0xff, payload: new Uint8Array(0) });
    const badCrc = good.slice();
    badCrc[8] = (badCrc[8] ?? 0) ^ 1;
    expect(decodeFrame(badCrc)).toEqual({ ok: false, reason: "CRC mismatch" });
    const badPad = good.slice();
    badPad[100] = 1;
    expect(decodeFrame(badPad)).toEqual({ ok: false, reason: "non-zero padding after the CRC" });
    expect(() => encodeFrame({ seq: 1, type: 1, slot: 0, payload: new Uint8Array(MAX_PAYLOAD + 1) })).toThrow(
      RangeError,
    );
  });
});

describe("windowed image transfer messages", () => {
  const chunk = fc.record({ slot, offset: u32, data: fc.uint8Array({ minLength: 1, maxLength: MAX_CHUNK }) });

  it("image-chunk-more round-trips, and is image-chunk's report with only the type (and CRC) changed", () => {
    fc.assert(
      fc.property(seq, chunk, (q, c) => {
        const more = encodeMessage({ dir: "request", seq: q, request: { kind: "image-chunk-more", ...c } });
        expect(decodeMessage(more)).toEqual({
          ok: true,
          message: { dir: "request", seq: q, request: { kind: "image-chunk-more", ...c } },
        });
        const plain = encodeMessage({ dir: "request", seq: q, request: { kind: "image-chunk", ...c } });
        const differ = [...more.keys()].filter((i) => more[i] !== plain[i]);
        const crcAt = 8 + 4 + c.data.length;
        expect(differ.every((i) => i === 4 || (i >= crcAt && i < crcAt + 4))).toBe(true);
        expect([more[4], plain[4]]).toEqual([REQUEST_TYPES["image-chunk-more"], REQUEST_TYPES["image-chunk"]]);
      }),
      { numRuns: 200 },
    );
  });

  it("an empty image-chunk-more is rejected, as an empty image-chunk is", () => {
    const r = decodeMessage(
      encodeFrame({ seq: 1, type: REQUEST_TYPES["image-chunk-more"], slot: 0, payload: new Uint8Array(4) }),
    );
    expect(r).toEqual({ ok: false, reason: "empty image chunk" });
  });

  it("drops any response to image-chunk-more, which a jig never answers", () => {
    fc.assert(
      fc.property(seq, slot, fc.uint8Array({ maxLength: 16 }), (q, sl, body) => {
        const payload = Uint8Array.of(0, ...body);
        const type = RESPONSE_FLAG | REQUEST_TYPES["image-chunk-more"];
        expect(decodeMessage(encodeFrame({ seq: q, type, slot: sl, payload }))).toEqual({
          ok: false,
          reason: "image-chunk-more is never answered",
        });
      }),
    );
  });

  it("accepts a begin-image answer only with a window of 1 to MAX_WINDOW", () => {
    fc.assert(
      fc.property(seq, slot, fc.integer({ min: 0, max: 255 }), (q, sl, window) => {
        const type = RESPONSE_FLAG | REQUEST_TYPES["begin-image"];
        const r = decodeMessage(encodeFrame({ seq: q, type, slot: sl, payload: Uint8Array.of(0, window) }));
        if (window >= 1 && window <= MAX_WINDOW)
          expect(r).toEqual({
            ok: true,
            message: {
              dir: "response",
              seq: q,
              response: { ok: true, slot: sl, body: { kind: "begin-image", window } },
            },
          });
        else expect(r).toEqual({ ok: false, reason: `window ${window} outside 1-${MAX_WINDOW}` });
      }),
    );
  });
});

describe("encodeFrameWith (the in-place encoder of image chunks)", () => {
  it("into a window's buffer holding old bytes gives the same report as a fresh one", () => {
    fc.assert(
      fc.property(
        seq,
        slot,
        u32,
        fc.uint8Array({ minLength: 1, maxLength: MAX_CHUNK }),
        fc.uint8Array({ minLength: REPORT_SIZE, maxLength: REPORT_SIZE }),
        (q, sl, offset, data, old) => {
          const window = new Uint8Array(3 * REPORT_SIZE);
          window.set(old, REPORT_SIZE);
          const into = window.subarray(REPORT_SIZE, 2 * REPORT_SIZE);
          const request = { kind: "image-chunk-more" as const, slot: sl, offset, data };
          expect(encodeImageChunk(q, request, into)).toBe(into);
          expect(Buffer.from(into).equals(Buffer.from(encodeMessage({ dir: "request", seq: q, request })))).toBe(true);
          expect(window.subarray(0, REPORT_SIZE).every((b) => b === 0)).toBe(true);
          expect(window.subarray(2 * REPORT_SIZE).every((b) => b === 0)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives the same report as encodeFrame for any payload written in place", () => {
    fc.assert(
      fc.property(
        seq,
        fc.integer({ min: 0, max: 0xff }),
        slot,
        fc.uint8Array({ maxLength: MAX_PAYLOAD }),
        (q, t, s, p) => {
          const inPlace = encodeFrameWith(q, t, s, p.length, (report, at, payload) => report.set(payload, at), p);
          expect(Buffer.from(inPlace).equals(Buffer.from(encodeFrame({ seq: q, type: t, slot: s, payload: p })))).toBe(
            true,
          );
        },
      ),
    );
  });
});
