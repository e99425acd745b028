import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { smiConfirmed, smiDispatchCheck, SMI_REFUSAL_NAMES, type SmiHubCheck } from "./smi-before-dispatch";

const hex2 = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).toUpperCase().padStart(2, "0"));
const deviceId = fc.array(hex2, { minLength: 8, maxLength: 8 }).map((a) => a.join("-"));
const version = fc.constantFrom("00010001", "00020004", "0003000A");
const update = fc.constantFrom("none", "pending", "emitted", "uploaded") as fc.Arbitrary<SmiHubCheck["update"]>;

const hub = (n: number, v = "00020004") => ({
  deviceId: `00-00-00-00-00-00-00-${String(n).padStart(2, "0")}`,
  firmwareVersion: v,
});

describe("SMI before dispatch (Req 10)", () => {
  it("lets a manifest go only when every hub was sent or uploaded and the SMI shows its version", () => {
    const hubs = [hub(1), hub(2)];
    const sent: SmiHubCheck[] = [
      { ...hub(1), update: "emitted", smiFirmware: "00020004" },
      { ...hub(2), update: "uploaded", smiFirmware: "00020004" },
    ];
    expect(smiDispatchCheck(hubs, sent)).toMatchObject({ ok: true, confirmed: 2, pending: [], refusal: null });
  });

  it("refuses with the list of pending hubs, in plain words", () => {
    const hubs = [hub(1), hub(2), hub(3)];
    const r = smiDispatchCheck(hubs, [
      { ...hub(1), update: "pending", smiFirmware: "00010001" },
      { ...hub(2), update: "emitted", smiFirmware: "00020004" },
    ]);
    expect(r.ok).toBe(false);
    expect(r.pending.map((p) => p.deviceId)).toEqual([hub(1).deviceId, hub(3).deviceId]);
    expect(r.pending[0]?.why).toBe("SMI update not sent yet: send it as CSPM-N3 or in an SSMI file");
    expect(r.pending[1]?.why).toContain("has not reached central");
    expect(r.refusal).toContain("2 of 3 hubs are not confirmed");
    expect(r.refusal).toContain(hub(1).deviceId);
  });

  it("does not take an update of another version as confirmation", () => {
    const r = smiDispatchCheck([hub(1, "0003000A")], [{ ...hub(1), update: "emitted", smiFirmware: "00020004" }]);
    expect(r.ok).toBe(false);
    expect(r.pending[0]?.why).toBe("sent as CSPM-N3, but the SMI shows 00020004, not 0003000A");
  });

  it("refuses an empty manifest and names at most five hubs in the refusal", () => {
    expect(smiDispatchCheck([], []).ok).toBe(false);
    const hubs = Array.from({ length: 9 }, (_, i) => hub(i));
    const r = smiDispatchCheck(hubs, []);
    expect(r.pending).toHaveLength(9);
    expect(r.refusal).toContain(`and ${9 - SMI_REFUSAL_NAMES} more`);
  });

  it("property: ok exactly when every manifest hub has a confirmed check; pending + confirmed = hubs", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ deviceId, firmwareVersion: version }), {
          selector: (h) => h.deviceId,
          maxLength: 12,
        }),
        fc.array(fc.record({ update, smiFirmware: fc.option(version, { nil: null }), present: fc.boolean() })),
        (hubs, states) => {
          const checks: SmiHubCheck[] = hubs.flatMap((h, i) => {
            const s = states[i];
            return s?.present ? [{ ...h, update: s.update, smiFirmware: s.smiFirmware }] : [];
          });
          const r = smiDispatchCheck(hubs, checks);
          expect(r.confirmed + r.pending.length).toBe(hubs.length);
          const all =
            hubs.length > 0 && hubs.every((h) => checks.some((c) => c.deviceId === h.deviceId && smiConfirmed(c)));
          expect(r.ok).toBe(all);
          expect(r.refusal === null).toBe(all);
        },
      ),
    );
  });
});
