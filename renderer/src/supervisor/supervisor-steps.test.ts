import { describe, expect, it } from "vitest";
import { sampleBooking } from "../test-support/sample-booking";
import { nextStep, STEP_ORDER, supervisorSteps } from "./supervisor-steps";
import type { SupervisorView } from "./supervisor-types";

const booking = sampleBooking();
const empty: SupervisorView = {
  booking,
  results: [],
  manifest: null,
  built: null,
  manifestIds: [],
  buildError: null,
  load: null,
  loadCheck: null,
  labelsPrinted: 0,
  asn: null,
  noticesIssued: 0,
  dispatch: null,
  unloading: null,
  amendment: null,
};

describe("the supervisor's steps", () => {
  it("are manifest, labels, load check, ASN, notice, dispatch, and start at the manifest", () => {
    const steps = supervisorSteps(empty, 0);
    expect(steps.map((s) => s.id)).toEqual([...STEP_ORDER]);
    expect(steps.every((s) => !s.done)).toBe(true);
    expect(nextStep(steps)).toBe("manifest");
    expect(steps[0]?.summary).toBe("not built");
  });

  it("labels are done only when every label is printed; the next step is the first not done", () => {
    const manifest = {
      manifestId: "RD-X-1",
      partyId: "P",
      bookingRefs: [booking.bookingRef],
      deliveryLocation: { id: "L", name: "Depot", address: "1 Road" },
      deliveryDate: "2027-02-01",
      deliveryWindow: { start: "09:00", end: "12:00" },
      pallets: [],
      looseCartons: [],
      excludedHubs: [],
    };
    const view = { ...empty, manifest, built: {} as SupervisorView["built"], labelsPrinted: 2 };
    const steps = supervisorSteps(view, 3);
    expect(steps.find((s) => s.id === "labels")).toMatchObject({ done: false, summary: "2 of 3 printed" });
    expect(nextStep(steps)).toBe("labels");
    expect(nextStep(supervisorSteps({ ...view, labelsPrinted: 3 }, 3))).toBe("load");
  });
});
