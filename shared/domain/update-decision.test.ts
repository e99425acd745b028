import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { updateDecision, type UpdateState } from "./update-decision";

const version = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/);
const stateArb: fc.Arbitrary<UpdateState> = fc.oneof(
  fc.constant({ kind: "idle" as const }),
  fc.constant({ kind: "checking" as const }),
  fc.record({ kind: fc.constant("up-to-date" as const), checkedAt: fc.constant("2026-12-04T10:00:00Z") }),
  fc.record({
    kind: fc.constant("downloading" as const),
    version,
    percent: fc.double({ min: 0, max: 100, noNaN: true }),
  }),
  fc.record({ kind: fc.constant("downloaded" as const), version }),
  fc.record({ kind: fc.constant("failed" as const), reason: fc.string({ maxLength: 40 }), at: fc.constant("x") }),
);

describe("updateDecision", () => {
  it("restarts only for a downloaded update an operator asked for with no flash under way", () => {
    fc.assert(
      fc.property(stateArb, fc.boolean(), fc.integer({ min: 0, max: 16 }), (state, operatorAsked, flashesUnderway) => {
        const d = updateDecision({ state, operatorAsked, flashesUnderway });
        expect(d.restartNow).toBe(state.kind === "downloaded" && operatorAsked && flashesUnderway === 0);
        expect(d.message.length).toBeGreaterThan(0);
      }),
    );
  });

  it("never restarts on its own, whatever the state", () => {
    fc.assert(
      fc.property(stateArb, fc.integer({ min: 0, max: 16 }), (state, flashesUnderway) => {
        expect(updateDecision({ state, operatorAsked: false, flashesUnderway }).restartNow).toBe(false);
      }),
    );
  });

  it("names the ready version and says it installs on close", () => {
    expect(
      updateDecision({ state: { kind: "downloaded", version: "1.4.0" }, operatorAsked: false, flashesUnderway: 3 }),
    ).toEqual({
      restartNow: false,
      message: "Version 1.4.0 is ready. It installs when Re-Flash Dock is closed, or choose Restart to update.",
    });
  });

  it("holds an operator's restart while hubs are being flashed, and says how many", () => {
    const one = updateDecision({
      state: { kind: "downloaded", version: "1.4.0" },
      operatorAsked: true,
      flashesUnderway: 1,
    });
    expect(one.restartNow).toBe(false);
    expect(one.message).toContain("1 hub is still being flashed");
    const two = updateDecision({
      state: { kind: "downloaded", version: "1.4.0" },
      operatorAsked: true,
      flashesUnderway: 2,
    });
    expect(two.message).toContain("2 hubs are still being flashed");
    expect(
      updateDecision({ state: { kind: "downloaded", version: "1.4.0" }, operatorAsked: true, flashesUnderway: 0 }),
    ).toEqual({ restartNow: true, message: "Restarting to install version 1.4.0." });
  });

  it("tells an operator who asks too early that nothing is ready", () => {
    const d = updateDecision({
      state: { kind: "downloading", version: "1.4.0", percent: 41.6 },
      operatorAsked: true,
      flashesUnderway: 0,
    });
    expect(d).toEqual({
      restartNow: false,
      message: "No update is ready to install yet. Downloading version 1.4.0 (42%).",
    });
  });

  it("says a failed check leaves the dock working", () => {
    const d = updateDecision({
      state: { kind: "failed", reason: "the update server did not answer", at: "x" },
      operatorAsked: false,
      flashesUnderway: 0,
    });
    expect(d.message).toBe(
      "The last update check failed (the update server did not answer); the dock keeps working and tries again later.",
    );
  });
});
