import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideManualFaultReport,
  MAX_DAMAGE_CHARS,
  readManualFaultReportForm,
  type ManualFaultFacts,
} from "./manual-fault-report";

const HUB = "88-73-84-57-00-2F-96-1E";
const ROLES = ["receiver", "technician", "supervisor", null] as const;
const okFacts: ManualFaultFacts = {
  received: { ok: true, bookingRef: "BK-0001" },
  flashedTo: null,
  reportedAs: null,
  slot: null,
};

describe("manual Fault Analysis Report: the form", () => {
  it("only technicians and supervisors file one; any other role is refused before anything else is read", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.string(), fc.string(), fc.string(), (role, hub, damage, notes) => {
        const r = readManualFaultReportForm(role, { hub, damage, notes });
        if (role !== "technician" && role !== "supervisor") expect(r).toMatchObject({ ok: false, field: "role" });
        else if (r.ok === false) expect(r.field).not.toBe("role");
      }),
    );
  });

  it("accepts a hub in any notation the parser reads and trims what was typed", () => {
    for (const hub of [HUB, HUB.toLowerCase(), HUB.replaceAll("-", ""), ` ${HUB} `])
      expect(readManualFaultReportForm("technician", { hub, damage: "  cracked casing ", notes: " no LED " })).toEqual({
        ok: true,
        deviceId: HUB,
        damage: "cracked casing",
        notes: "no LED",
      });
  });

  it("names the field at fault in plain words: no hub, not a hub ID, no damage, too long", () => {
    const t = (hub: string, damage: string, notes = "") =>
      readManualFaultReportForm("technician", { hub, damage, notes });
    expect(t("", "cracked")).toMatchObject({ ok: false, field: "hub", reason: expect.stringMatching(/^Scan or type/) });
    expect(t("88-73-XX", "cracked")).toMatchObject({
      ok: false,
      field: "hub",
      reason: expect.stringContaining("not a hub ID"),
    });
    expect(t(HUB, " a ")).toMatchObject({ ok: false, field: "damage" });
    expect(t(HUB, "x".repeat(MAX_DAMAGE_CHARS + 1))).toMatchObject({ ok: false, field: "damage" });
    expect(t(HUB, "cracked", "n".repeat(2001))).toMatchObject({ ok: false, field: "notes" });
  });

  it("any input gets an answer: accepted, or one sentence for a person naming the field (never a parser's message)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), (hub, damage) => {
        const r = readManualFaultReportForm("technician", { hub, damage, notes: "" });
        if (r.ok) return;
        expect(["hub", "damage"]).toContain(r.field);
        expect(r.reason).toMatch(/^[A-Z"].*\.$/s);
        expect(r.reason).not.toContain("is not a hex digit");
      }),
    );
  });
});

describe("manual Fault Analysis Report: the decision", () => {
  const form = { ok: true as const, deviceId: HUB, damage: "cracked casing", notes: "" };

  it("a hub received here, not flashed, not reported, off the jigs (or in a failed slot) is reported with its booking", () => {
    expect(decideManualFaultReport(form, okFacts)).toEqual({
      ok: true,
      report: { deviceId: HUB, bookingRef: "BK-0001", damage: "cracked casing", notes: "", jigId: null, slot: null },
    });
    expect(
      decideManualFaultReport(form, { ...okFacts, slot: { jigId: "JIG-A", slot: 3, phase: "failed" } }),
    ).toMatchObject({ ok: true, report: { jigId: "JIG-A", slot: 3 } });
  });

  it("is refused exactly when the hub was not received, was flashed, was reported already or is busy on a jig", () => {
    const phases = ["empty", "waiting-for-hub", "flashing", "waiting-for-jig", "flashed", "failed"];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.option(fc.constant("00030000"), { nil: null }),
        fc.option(fc.constant("019b76da-a800-7746-ba9a-37b6252c652d"), { nil: null }),
        fc.option(fc.constantFrom(...phases), { nil: null }),
        (received, flashedTo, reportedAs, phase) => {
          const facts: ManualFaultFacts = {
            received: received ? { ok: true, bookingRef: "BK-0001" } : { ok: false, reason: "not received here" },
            flashedTo,
            reportedAs,
            slot: phase === null ? null : { jigId: "JIG-A", slot: 0, phase },
          };
          const busy = phase !== null && phase !== "failed" && phase !== "empty";
          const allowed = received && flashedTo === null && reportedAs === null && !busy;
          const d = decideManualFaultReport(form, facts);
          expect(d.ok).toBe(allowed);
          if (!d.ok) expect(d.field).toBe("hub");
        },
      ),
    );
  });

  it("says why in words that name the hub and what to do", () => {
    expect(decideManualFaultReport(form, { ...okFacts, flashedTo: "00030000" })).toMatchObject({
      ok: false,
      reason: `Hub ${HUB} was re-flashed to 00030000 at this dock: it is not a fault. Put it with the flashed hubs.`,
    });
    expect(decideManualFaultReport(form, { ...okFacts, reportedAs: "R-1" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already has a Fault Analysis Report (R-1)"),
    });
  });
});
