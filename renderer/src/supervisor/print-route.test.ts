import { describe, expect, it } from "vitest";
import { BridgeError, type DockBridge } from "../../../shared/bridge/channels";
import { printLabelSheet } from "./print-route";

/** A bridge whose print.page does what the test says; every other channel is never called. */
function bridgeAnswering(answer: () => Promise<unknown>): DockBridge & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    invoke: (async (channel: string, args: unknown) => {
      calls.push({ channel, args });
      return answer();
    }) as DockBridge["invoke"],
    on: () => () => undefined,
  };
}

describe("printLabelSheet", () => {
  it("prints through the shell's print service when it has one", async () => {
    const bridge = bridgeAnswering(async () => ({ printed: true, pdfPath: "/data/prints/labels.pdf" }));
    expect(await printLabelSheet(bridge, "Labels", [], "pdf")).toEqual({
      via: "bridge",
      printed: true,
      reason: null,
      pdfPath: "/data/prints/labels.pdf",
    });
    expect(bridge.calls).toEqual([{ channel: "print.page", args: { document: "label", output: "pdf" } }]);
  });

  it("a cancelled dialog is reported, not retried through the window", async () => {
    const bridge = bridgeAnswering(async () => ({ printed: false, reason: "cancelled" }));
    expect(await printLabelSheet(bridge, "Labels", [])).toMatchObject({
      via: "bridge",
      printed: false,
      reason: "cancelled",
    });
  });

  it("a print failure other than 'unavailable' reaches the operator", async () => {
    const bridge = bridgeAnswering(async () => {
      throw new BridgeError("failed", "printer offline");
    });
    await expect(printLabelSheet(bridge, "Labels", [])).rejects.toThrow(/printer offline/);
  });
});
