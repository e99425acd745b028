import { describe, expect, it } from "vitest";
import { createTestBridge } from "../../bridge/test-bridge";
import { needsEnrolment, submitEnrolment } from "./enrolment";

describe("dock enrolment in the renderer", () => {
  it("asks for enrolment only when the host needs it and no token is given in the URL", () => {
    const info = (enrolment: "enrolled" | "configured" | "needed" | "off" | undefined) =>
      createTestBridge({ info: enrolment === undefined ? {} : { enrolment } }).invoke("host.info", {});
    return Promise.all([info("needed"), info("enrolled"), info("off"), info(undefined)]).then(
      ([needed, enrolled, off, old]) => {
        expect(needsEnrolment(needed, "")).toBe(true);
        expect(needsEnrolment(needed, "?token=abc")).toBe(false);
        expect(needsEnrolment(enrolled, "")).toBe(false);
        expect(needsEnrolment(off, "")).toBe(false);
        expect(needsEnrolment(old, "")).toBe(false);
        expect(needsEnrolment(null, "")).toBe(false);
      },
    );
  });

  it("sends the trimmed form to the host and says what it answered", async () => {
    const bridge = createTestBridge();
    bridge.handlers["enrolment.enrol"] = async ({ dockId }) => ({ ok: true, dockId, facilityId: "N-DOCK-1" });
    expect(
      await submitEnrolment(bridge, {
        centralUrl: " https://central.example ",
        dockId: "DOCK-N1 ",
        code: " abcd-efgh-jkmn",
      }),
    ).toEqual({ ok: true, message: "Dock DOCK-N1 is enrolled with central (facility N-DOCK-1)." });
    expect(bridge.calls.at(-1)).toEqual({
      channel: "enrolment.enrol",
      args: { centralUrl: "https://central.example", dockId: "DOCK-N1", code: "abcd-efgh-jkmn" },
    });
  });

  it("shows a refusal in the host's words, asks for missing fields without calling, and survives a dead host", async () => {
    const bridge = createTestBridge();
    bridge.handlers["enrolment.enrol"] = async () => ({
      ok: false,
      reason: "central refused: that is not dock DOCK-N1's enrolment code",
    });
    const form = { centralUrl: "https://central.example", dockId: "DOCK-N1", code: "AAAA-AAAA-AAAA" };
    expect(await submitEnrolment(bridge, form)).toEqual({
      ok: false,
      message: "Not enrolled: central refused: that is not dock DOCK-N1's enrolment code.",
    });
    const before = bridge.calls.length;
    expect(await submitEnrolment(bridge, { ...form, code: " " })).toMatchObject({ ok: false, message: /Fill in/ });
    expect(bridge.calls.length).toBe(before);
    bridge.handlers["enrolment.enrol"] = async () => {
      throw new Error("socket closed at /tmp/x");
    };
    const dead = await submitEnrolment(bridge, form);
    expect(dead).toEqual({
      ok: false,
      message: "Not enrolled: the dock's host did not answer; restart the dock and try again.",
    });
  });
});
