import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDockEvent } from "../events";
import { decideSession } from "./session-decision";

const stamp = { dockId: "DOCK-1", now: new Date("2027-01-04T08:00:00Z"), clockOffsetMs: null };
const known = [
  { operatorId: "OP-R", name: "Rita", facilityId: "FAC-1", roles: ["receiver" as const], active: true },
  { operatorId: "OP-X", name: "Xavier", facilityId: "FAC-1", roles: ["supervisor" as const], active: false },
];

describe("session decisions", () => {
  it("a sign-in is refused by name (bad id, no name, not registered, wrong role) and records nothing", () => {
    const signIn = (operatorId: string, name: string, role: "receiver" | "technician" | "supervisor" = "receiver") =>
      decideSession({ operator: null, known }, { type: "sign-in", operatorId, name, role }, stamp);
    expect(signIn("bad id", "Ann")).toMatchObject({ ok: false, refusal: "bad-operator-id" });
    expect(signIn("OP-R", "  ")).toMatchObject({ ok: false, refusal: "no-name" });
    expect(signIn("OP-Q", "Quinn")).toMatchObject({
      ok: false,
      refusal: "not-registered",
      message: "Operator OP-Q is not registered (or not active) at this facility.",
    });
    expect(signIn("OP-X", "Xavier", "supervisor")).toMatchObject({ ok: false, refusal: "not-registered" });
    expect(signIn("OP-R", "Rita", "supervisor")).toMatchObject({
      ok: false,
      refusal: "wrong-role",
      message: "Operator OP-R has role receiver, not supervisor.",
    });
  });

  it("a dock that never synced lets any well-formed operator sign in; the sign-in and sign-out are valid events of that operator", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ""),
        fc.constantFrom("receiver" as const, "technician" as const, "supervisor" as const),
        (id, name, role) => {
          const d = decideSession(
            { operator: null, known: undefined },
            { type: "sign-in", operatorId: id, name, role },
            stamp,
          );
          if (!d.ok) throw new Error(d.message);
          expect(d.operator).toEqual({ operatorId: id, name: name.trim(), role });
          expect(d.events).toHaveLength(1);
          expect(parseDockEvent(JSON.parse(JSON.stringify(d.events[0]))).ok).toBe(true);
          const out = decideSession({ operator: d.operator, known: undefined }, { type: "sign-out" }, stamp);
          expect(out).toMatchObject({
            ok: true,
            operator: null,
            events: [{ type: "operator.signed-out", operatorId: id }],
          });
        },
      ),
    );
  });
});
