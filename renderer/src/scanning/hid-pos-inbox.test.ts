import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ScannerRead } from "../../../shared/bridge/channels";
import { createTestBridge } from "../../bridge/test-bridge";
import { startHidPosInbox, type HidPosInboxDeps } from "./hid-pos-inbox";

/** A page: what it stored (by read id), what waits in its queue, and when the store says it has settled. */
function page(stored = new Set<string>()) {
  const delivered: ScannerRead[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | null = null;
  return {
    delivered,
    stored,
    /** Holds `settled()` until `open()`: reads delivered meanwhile are not yet stored. */
    hold() {
      gate = new Promise((r) => (release = r));
    },
    open() {
      gate = null;
      release();
    },
    deps(bridge: HidPosInboxDeps["bridge"]): HidPosInboxDeps {
      return {
        bridge,
        isStored: async (id) => stored.has(id),
        isHeld: () => false,
        deliver: (read) => {
          delivered.push(read);
        },
        settled: async () => {
          if (gate !== null) await gate;
          for (const r of delivered) stored.add(r.readId);
        },
        pollMs: 60_000,
      };
    },
  };
}

describe("HID-POS inbox", () => {
  it("routes each live read once, in order, and acknowledges it only once the store has settled", async () => {
    const bridge = createTestBridge();
    const p = page();
    p.hold();
    const inbox = startHidPosInbox(p.deps(bridge));
    await bridge.invoke("scanner.simulate", { raw: "A" });
    await bridge.invoke("scanner.simulate", { raw: "B" });
    await new Promise((r) => setTimeout(r, 10));
    expect(p.delivered.map((r) => r.raw)).toEqual(["A", "B"]);
    // Not stored yet: the host still holds both.
    expect((await bridge.invoke("scanner.pending", {})).total).toBe(2);
    p.open();
    await inbox.idle();
    expect((await bridge.invoke("scanner.pending", {})).total).toBe(0);
    inbox.stop();
  });

  it("after a reload, delivers the reads no page stored and only acknowledges those already in the log", async () => {
    const bridge = createTestBridge();
    const old = page();
    old.hold();
    const first = startHidPosInbox(old.deps(bridge));
    for (const raw of ["A", "B", "C"]) await bridge.invoke("scanner.simulate", { raw });
    await new Promise((r) => setTimeout(r, 10));
    // The old page stored A and B, then was reloaded before it could acknowledge; C never reached its log.
    first.stop();
    const log = new Set(old.delivered.slice(0, 2).map((r) => r.readId));
    // A read arrives while no page listens.
    await bridge.invoke("scanner.simulate", { raw: "D" });
    const fresh = page(log);
    const second = startHidPosInbox(fresh.deps(bridge));
    await second.idle();
    expect(fresh.delivered.map((r) => r.raw)).toEqual(["C", "D"]);
    expect((await bridge.invoke("scanner.pending", {})).total).toBe(0);
    second.stop();
  });

  it("keeps reads whose acknowledgement failed and acknowledges them on the next round", async () => {
    const bridge = createTestBridge();
    const problems: string[] = [];
    const p = page();
    const real = bridge.handlers["scanner.ack"];
    bridge.handlers["scanner.ack"] = async () => {
      throw new Error("host restarting");
    };
    const inbox = startHidPosInbox({ ...p.deps(bridge), onProblem: (m) => problems.push(m) });
    await bridge.invoke("scanner.simulate", { raw: "A" });
    await inbox.idle();
    expect(problems.join()).toContain("host restarting");
    expect((await bridge.invoke("scanner.pending", {})).total).toBe(1);
    bridge.handlers["scanner.ack"] = real;
    await bridge.invoke("scanner.simulate", { raw: "B" });
    await inbox.idle();
    expect((await bridge.invoke("scanner.pending", {})).total).toBe(0);
    expect(p.delivered.map((r) => r.raw)).toEqual(["A", "B"]);
    inbox.stop();
  });

  it("property: whatever reloads interrupt a stream of reads, every read is stored exactly once and the host holds none at the end", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ size: fc.integer({ min: 0, max: 6 }), storedBeforeReload: fc.nat() }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (pages) => {
          const bridge = createTestBridge();
          const log: string[] = [];
          let n = 0;
          for (const { size, storedBeforeReload } of pages) {
            const delivered: ScannerRead[] = [];
            // A page whose store never settles: it is reloaded with some of its reads stored and none acknowledged.
            const inbox = startHidPosInbox({
              bridge,
              isStored: async (id) => log.includes(id),
              isHeld: () => false,
              deliver: (r) => void delivered.push(r),
              settled: () => new Promise<void>(() => undefined),
              pollMs: 60_000,
            });
            for (let i = 0; i < size; i++) await bridge.invoke("scanner.simulate", { raw: `R${n++}` });
            await new Promise((r) => setTimeout(r, 1));
            inbox.stop();
            for (const r of delivered.slice(0, storedBeforeReload % (delivered.length + 1))) log.push(r.readId);
          }
          const last = page();
          const inbox = startHidPosInbox({ ...last.deps(bridge), isStored: async (id) => log.includes(id) });
          await inbox.idle();
          inbox.stop();
          log.push(...last.delivered.map((r) => r.readId));
          expect(new Set(log).size).toBe(log.length);
          expect(log).toHaveLength(n);
          expect((await bridge.invoke("scanner.pending", {})).total).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
