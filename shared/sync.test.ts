import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  clockOffsetMs,
  DockOutboxReportSchema,
  dockOutboxHeader,
  firmwareSignedMessage,
  PullRequestSchema,
  PushResultSchema,
  SyncCursorSchema,
} from "./sync";

describe("sync wire types", () => {
  it("clock offset is server time minus the midpoint of the exchange", () => {
    expect(clockOffsetMs(1000, 1200, new Date(5100).toISOString())).toBe(4000);
    expect(clockOffsetMs(1000, 900, new Date(0).toISOString())).toBeNull();
    expect(clockOffsetMs(1000, 1200, "not a time")).toBeNull();
  });

  it("clock offset recovers any true offset from a symmetric exchange", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2e12 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: -86_400_000, max: 86_400_000 }),
        (sent, rtt, offset) => {
          const serverAt = sent + rtt / 2 + offset;
          const got = clockOffsetMs(sent, sent + rtt, new Date(serverAt).toISOString());
          expect(got).not.toBeNull();
          expect(Math.abs((got ?? 0) - offset)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a cursor is digits only; a pull refuses unknown fields and silly limits", () => {
    expect(SyncCursorSchema.safeParse("0").success).toBe(true);
    expect(SyncCursorSchema.safeParse("-1").success).toBe(false);
    expect(SyncCursorSchema.safeParse("1 or 1=1").success).toBe(false);
    expect(PullRequestSchema.safeParse({ cursor: "0", since: 1 }).success).toBe(false);
    expect(PullRequestSchema.safeParse({ cursor: "0", limit: 0 }).success).toBe(false);
  });

  it("a rejected result carries its reason; an accepted one may not", () => {
    expect(PushResultSchema.safeParse({ index: 0, id: null, status: "rejected", reason: "bad" }).success).toBe(true);
    expect(PushResultSchema.safeParse({ index: 0, id: "x", status: "rejected" }).success).toBe(false);
    expect(PushResultSchema.safeParse({ index: 0, id: "x", status: "accepted", reason: "?" }).success).toBe(false);
  });

  it("the signed message names model, version and hash, one per line", () => {
    expect(
      firmwareSignedMessage({ deviceModel: "010A030B", version: "00030000", sha256: "ab".repeat(32) }).split("\n"),
    ).toEqual(["reflash-firmware-v1", "010A030B", "00030000", "ab".repeat(32)]);
  });
});

describe("the dock's outbox report header", () => {
  it("round-trips every report, and any other text is refused rather than misread", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.integer({ min: 0, max: 999_999_999_999_999 }),
        (n, at) => {
          expect(DockOutboxReportSchema.parse(dockOutboxHeader({ unsent: n, oldestUnsentAt: at }))).toEqual({
            unsent: n,
            oldestUnsentAt: at,
          });
        },
      ),
    );
    expect(DockOutboxReportSchema.parse(dockOutboxHeader({ unsent: 0, oldestUnsentAt: 5 }))).toEqual({
      unsent: 0,
      oldestUnsentAt: null,
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = DockOutboxReportSchema.safeParse(s);
        if (r.success) expect(dockOutboxHeader(r.data)).toBe(s);
      }),
    );
  });
});
