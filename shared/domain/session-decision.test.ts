import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDockEvent } from "../events";
import type { SyncOperator } from "../sync";
import { NO_ATTEMPTS, type PinHash } from "./operator-pin";
import { checkSignIn, decideSignIn, decideSignOut, type SignInFacts } from "./session-decision";

const stamp = { dockId: "DOCK-1", now: new Date("2027-01-04T08:00:00Z"), clockOffsetMs: null };
const hash: PinHash = {
  alg: "pbkdf2-sha256",
  iterations: 100_000,
  salt: "AAAAAAAAAAAAAAAAAAAAAA==",
  hash: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
};
const known: SyncOperator[] = [
  { operatorId: "OP-R", name: "Rita", facilityId: "FAC-1", roles: ["receiver"], active: true, pinHash: hash },
  { operatorId: "OP-X", name: "Xavier", facilityId: "FAC-1", roles: ["supervisor"], active: false, pinHash: hash },
  { operatorId: "OP-N", name: "Nora", facilityId: "FAC-1", roles: ["receiver"], active: true, pinHash: null },
  {
    operatorId: "OP-S",
    name: "Sam",
    facilityId: "FAC-1",
    roles: ["supervisor", "receiver", "technician"],
    active: true,
    pinHash: hash,
  },
];
const now = Date.parse("2027-01-04T08:00:00Z");
const facts: SignInFacts = { known, operatorsSyncedAt: now - 60_000, attempts: NO_ATTEMPTS, now };

describe("sign-in checks (before any PIN is compared)", () => {
  it("refuses by name: bad id, never synced, locked out, not registered, no PIN, a role central did not give", () => {
    expect(checkSignIn(facts, "bad id", undefined)).toMatchObject({ ok: false, refusal: "bad-operator-id" });
    expect(checkSignIn({ ...facts, operatorsSyncedAt: null }, "OP-R", undefined)).toMatchObject({
      ok: false,
      refusal: "never-synced",
      message: expect.stringContaining("has not received its operators from central yet"),
    });
    expect(
      checkSignIn({ ...facts, attempts: { failures: 0, lockouts: 1, lockedUntil: now + 90_000 } }, "OP-R", undefined),
    ).toMatchObject({ ok: false, refusal: "locked-out", message: expect.stringContaining("try again in 2 minutes") });
    expect(checkSignIn(facts, "OP-Q", undefined)).toMatchObject({
      ok: false,
      refusal: "not-registered",
      message: expect.stringContaining("Operator OP-Q is not registered (or not active) at this facility."),
    });
    expect(checkSignIn(facts, "OP-X", "supervisor")).toMatchObject({ ok: false, refusal: "not-registered" });
    expect(checkSignIn(facts, "OP-N", undefined)).toMatchObject({ ok: false, refusal: "no-pin" });
    expect(checkSignIn(facts, "OP-R", "supervisor")).toMatchObject({
      ok: false,
      refusal: "wrong-role",
      message: "Operator OP-R has role receiver, not supervisor.",
    });
  });

  it("the role is central's: the only one, or the first when none is chosen, or one of theirs", () => {
    expect(checkSignIn(facts, " OP-R ", undefined)).toMatchObject({ ok: true, role: "receiver" });
    expect(checkSignIn(facts, "OP-S", undefined)).toMatchObject({ ok: true, role: "supervisor" });
    expect(checkSignIn(facts, "OP-S", "technician")).toMatchObject({ ok: true, role: "technician" });
  });
});

describe("sign-in decisions (after the PIN was compared)", () => {
  const check = checkSignIn(facts, "OP-S", "receiver");
  if (!check.ok) throw new Error(check.message);

  it("a right PIN signs in with central's name and the role, as a valid event; sign-out is that operator's event", () => {
    const d = decideSignIn(check, true, facts, stamp);
    expect(d.attempts).toEqual(NO_ATTEMPTS);
    if (!d.result.ok) throw new Error(d.result.message);
    expect(d.result.operator).toEqual({ operatorId: "OP-S", name: "Sam", role: "receiver" });
    expect(parseDockEvent(JSON.parse(JSON.stringify(d.result.events[0]))).ok).toBe(true);
    expect(decideSignOut(d.result.operator, stamp)).toMatchObject({
      operator: null,
      events: [{ type: "operator.signed-out", operatorId: "OP-S" }],
    });
    expect(decideSignOut(null, stamp).events).toEqual([]);
  });

  it("never signs anyone in on a wrong PIN, counts down the tries, and the fifth locks with the wait in words", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (tries) => {
        let attempts = NO_ATTEMPTS;
        let t = now;
        for (const right of tries) {
          const gate = checkSignIn({ ...facts, attempts, now: t }, "OP-S", "receiver");
          if (!gate.ok) {
            expect(gate.refusal).toBe("locked-out");
            t = attempts.lockedUntil ?? t; // wait out the lock
            continue;
          }
          const d = decideSignIn(gate, right, { attempts, now: t }, stamp);
          expect(d.result.ok).toBe(right);
          if (!d.result.ok)
            expect(d.result.message).toMatch(
              d.attempts.lockedUntil === null ? /^Wrong PIN for OP-S\. \d more tr(y|ies)/ : /locked for \d+ minutes/,
            );
          attempts = d.attempts;
          t += 1000;
        }
      }),
    );
  });
});
