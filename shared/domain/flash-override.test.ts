import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlashOverridePayload } from "../events";
import { decideFlashOverride, MAX_OVERRIDE_REASON_CHARS, MIN_OVERRIDE_REASON_CHARS } from "./flash-override";

const pending = { deviceId: "88-73-84-57-00-2F-96-1E", bookingRef: "BK-0001", flashedTo: "00030000" };

describe("a supervisor's override of a second flash", () => {
  it("is allowed only for a supervisor, with a hub waiting and a reason of sensible length; its payload always parses", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("receiver", "technician", "supervisor", null),
        fc.boolean(),
        fc.string({ maxLength: 600 }),
        (role, waiting, reason) => {
          const d = decideFlashOverride({ role, pending: waiting ? pending : null, reason });
          const len = reason.trim().length;
          const allowed =
            role === "supervisor" && waiting && len >= MIN_OVERRIDE_REASON_CHARS && len <= MAX_OVERRIDE_REASON_CHARS;
          expect(d.ok).toBe(allowed);
          if (d.ok) {
            expect(FlashOverridePayload.safeParse(d.payload).success).toBe(true);
            expect(d.payload.reason).toBe(reason.trim());
          }
        },
      ),
    );
  });

  it("says why not in plain words", () => {
    expect(decideFlashOverride({ role: "technician", pending, reason: "looks fine" })).toEqual({
      ok: false,
      reason: "Only a supervisor can allow a second flash.",
    });
    expect(decideFlashOverride({ role: "supervisor", pending, reason: " ok " })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("at least 5 characters"),
    });
    expect(decideFlashOverride({ role: "supervisor", pending: null, reason: "casing swapped" })).toMatchObject({
      ok: false,
      reason: "No hub is waiting for a second flash.",
    });
  });
});
