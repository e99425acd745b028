import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LaunchGate } from "./launch-token";

describe("LaunchGate: the launch token works once; the session it opens lasts the launch", () => {
  const TOKEN = "a".repeat(64);

  it("property: however many visits, in whatever order, the token opens exactly one session, and only its holder goes on", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("right", "wrong", "holder"), { minLength: 1, maxLength: 30 }), (visits) => {
        let n = 0;
        const gate = new LaunchGate(TOKEN, () => `session-${++n}`.padEnd(64, "x"));
        let held: string | null = null;
        for (const v of visits) {
          if (v === "wrong") expect(gate.redeem("b".repeat(64), null).ok).toBe(false);
          else if (v === "right") {
            const r = gate.redeem(TOKEN, null);
            if (held === null) {
              expect(r).toMatchObject({ ok: true, fresh: true });
              if (r.ok) held = r.session;
            } else expect(r).toMatchObject({ ok: false, why: "used" });
          } else if (held !== null) expect(gate.redeem(TOKEN, held)).toEqual({ ok: true, session: held, fresh: false });
        }
        expect(held !== null).toBe(visits.includes("right"));
        expect(gate.admits(held)).toBe(held !== null);
        expect(gate.admits(TOKEN)).toBe(false);
      }),
    );
  });

  it("says why: another launch's link, or this one used already", () => {
    const gate = new LaunchGate(TOKEN);
    expect(gate.redeem("c".repeat(64), null)).toMatchObject({ ok: false, why: "other-launch" });
    const first = gate.redeem(TOKEN, null);
    expect(first).toMatchObject({ ok: true, fresh: true });
    expect(gate.redeem(TOKEN, null)).toMatchObject({
      ok: false,
      why: "used",
      reason: expect.stringMatching(/already used/),
    });
    expect(gate.redeem(TOKEN, "forged")).toMatchObject({ ok: false, why: "used" });
    expect(gate.admits(null)).toBe(false);
    expect(gate.admits(undefined)).toBe(false);
  });
});
