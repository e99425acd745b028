import { describe, expect, it } from "vitest";
import { bridgeErrorCode } from "../../shared/bridge/channels";
import { bridgeContractChecks } from "../../shared/bridge/contract";
import { createTestBridge } from "./test-bridge";

describe("bridge contract: the renderer's test double", () => {
  for (const check of bridgeContractChecks) {
    it(check.name, async () => {
      const bridge = createTestBridge();
      await check.run({
        bridge,
        seedJournal: async (kind, payload) => {
          bridge.seedJournal(kind, payload);
        },
        close: async () => undefined,
      });
    });
  }
});

describe("createTestBridge", () => {
  it("records calls and lets a test script a failure", async () => {
    const bridge = createTestBridge({ info: { dockId: "dock-7" } });
    expect((await bridge.invoke("host.info", {})).dockId).toBe("dock-7");
    bridge.handlers["journal.pending"] = async () => {
      throw new Error("disk full");
    };
    const err = await bridge.invoke("journal.pending", {}).catch((e: unknown) => e);
    expect(bridgeErrorCode(err)).toBe("failed");
    expect(String(err)).toContain("disk full");
    expect(bridge.calls.map((c) => c.channel)).toEqual(["host.info", "journal.pending"]);
  });

  it("refuses an event that breaks the channel map, so a test cannot feed the renderer what no shell would", () => {
    const bridge = createTestBridge();
    expect(() =>
      bridge.emit("scanner.scan", { source: "hid-pos", raw: "", at: "yesterday", scannerId: "x", readId: "x" }),
    ).toThrow(/scanner\.scan/);
  });

  it("counts listeners so a component test can see it unsubscribed", () => {
    const bridge = createTestBridge();
    const off = bridge.on("journal.changed", () => undefined);
    expect(bridge.listenerCount()).toBe(1);
    off();
    expect(bridge.listenerCount()).toBe(0);
  });
});
