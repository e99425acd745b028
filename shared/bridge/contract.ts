import {
  HostInfoSchema,
  bridgeErrorCode,
  type BridgeChannel,
  type BridgeErrorCode,
  type BridgeEventName,
  type BridgeEventPayload,
  type DockBridge,
} from "./channels";

/**
 * The bridge contract: what every implementation of `DockBridge` must do, written once
 * against the interface alone. Each shell's test runs every check against its own
 * implementation (the browser shell's WebSocket in host/, the renderer's test double,
 * later Electron's preload + ipcMain), which is how "the same renderer runs in both
 * shells" is tested. Plain functions that throw on failure, so any test runner can
 * wrap them (one `it` per check) and shared/ stays free of a test framework.
 */

/** One bridge under test, fresh per check. */
export interface BridgeUnderTest {
  bridge: DockBridge;
  /** Puts a hardware result into the host's journal, as a jig would. */
  seedJournal(kind: string, payload: unknown): Promise<void>;
  close(): Promise<void>;
}

export type BridgeFactory = () => Promise<BridgeUnderTest>;

export interface BridgeContractCheck {
  name: string;
  run(subject: BridgeUnderTest): Promise<void>;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`bridge contract: ${message}`);
}

/** Resolves with the next payload of `event` (listening starts now). */
function nextEvent<E extends BridgeEventName>(
  bridge: DockBridge,
  event: E,
  accept: (p: BridgeEventPayload<E>) => boolean = () => true,
): Promise<BridgeEventPayload<E>> {
  return new Promise((resolve) => {
    const off = bridge.on(event, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

async function rejectsWith(call: () => Promise<unknown>, code: BridgeErrorCode, what: string): Promise<string> {
  try {
    await call();
  } catch (err) {
    const got = bridgeErrorCode(err);
    check(got === code, `${what}: expected a "${code}" error, got ${String(err)}`);
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error(`bridge contract: ${what}: expected a "${code}" error, but the call succeeded`);
}

/** Lets a test send what the types forbid, exactly as a buggy or hostile caller would. */
function untyped(bridge: DockBridge): { invoke(channel: string, args: unknown): Promise<unknown> } {
  return bridge as unknown as { invoke(channel: string, args: unknown): Promise<unknown> };
}

export const bridgeContractChecks: BridgeContractCheck[] = [
  {
    name: "host.info answers a valid host description",
    async run({ bridge }) {
      const info = await bridge.invoke("host.info", {});
      const parsed = HostInfoSchema.safeParse(info);
      check(parsed.success, `host.info result does not match HostInfoSchema: ${JSON.stringify(info)}`);
    },
  },
  {
    name: "a simulated HID-POS scan arrives as a scanner.scan event, raw data intact",
    async run({ bridge }) {
      const raw = "\x1d0012345678901234567\x1d24000-DB-12-34";
      const arrived = nextEvent(bridge, "scanner.scan", (p) => p.raw === raw);
      const answer = await bridge.invoke("scanner.simulate", { raw, symbology: "]C1" });
      const scan = await arrived;
      check(scan.source === "hid-pos", `source is ${scan.source}`);
      check(scan.symbology === "]C1", `symbology is ${String(scan.symbology)}`);
      check(scan.at === answer.at, `event time ${scan.at} differs from the answer's ${answer.at}`);
    },
  },
  {
    name: "an unsubscribed listener hears nothing more",
    async run({ bridge }) {
      const heard: string[] = [];
      const off = bridge.on("scanner.scan", (p) => heard.push(p.raw));
      off();
      off(); // unsubscribing twice is harmless
      const kept = nextEvent(bridge, "scanner.scan", (p) => p.raw === "AFTER");
      await bridge.invoke("scanner.simulate", { raw: "AFTER" });
      await kept;
      check(heard.length === 0, `removed listener still heard ${JSON.stringify(heard)}`);
    },
  },
  {
    name: "an unknown channel is refused by name",
    async run({ bridge }) {
      const message = await rejectsWith(() => untyped(bridge).invoke("hub.erase", {}), "unknown-channel", "hub.erase");
      check(message.includes("hub.erase"), `message does not name the channel: ${message}`);
    },
  },
  {
    name: "malformed args get a bad-request error and change nothing",
    async run({ bridge }) {
      const heard: string[] = [];
      const off = bridge.on("scanner.scan", (p) => heard.push(p.raw));
      try {
        const bad: Array<[BridgeChannel, unknown]> = [
          ["scanner.simulate", { raw: "" }],
          ["scanner.simulate", { raw: 42 }],
          ["scanner.simulate", { raw: "X", extra: true }],
          ["scanner.simulate", { raw: "price €5" }],
          ["scanner.simulate", null],
          ["journal.ack", { ids: ["not-a-uuid"] }],
          ["journal.pending", { limit: -1 }],
          ["host.info", { sneaky: 1 }],
        ];
        for (const [channel, args] of bad) {
          await rejectsWith(
            () => untyped(bridge).invoke(channel, args),
            "bad-request",
            `${channel} ${JSON.stringify(args)}`,
          );
        }
        const marker = nextEvent(bridge, "scanner.scan", (p) => p.raw === "MARKER");
        await bridge.invoke("scanner.simulate", { raw: "MARKER" });
        await marker;
        check(heard.length === 1 && heard[0] === "MARKER", `a refused request emitted scans: ${JSON.stringify(heard)}`);
      } finally {
        off();
      }
    },
  },
  {
    name: "jig.slots lists valid slots, or says 'unavailable' where no jig station is bound",
    async run({ bridge }) {
      try {
        const { slots } = await bridge.invoke("jig.slots", {});
        check(Array.isArray(slots), "slots is not a list");
      } catch (err) {
        check(bridgeErrorCode(err) === "unavailable", `jig.slots failed with ${String(err)}`);
      }
    },
  },
  {
    name: "jig.fault-report refuses malformed reports; a filed one is journalled under its reference, or 'unavailable' without jigs",
    async run({ bridge }) {
      const good = {
        deviceId: "88-73-84-57-00-2F-96-1E",
        damage: "cracked casing",
        notes: "",
        operatorId: "OP-TECH",
        jigId: null,
        slot: null,
      };
      const bad: unknown[] = [
        { ...good, deviceId: "88-73-84" },
        { ...good, damage: "  " },
        { ...good, damage: "x".repeat(501) },
        { ...good, slot: 8 },
        { ...good, extra: true },
        { deviceId: good.deviceId },
      ];
      for (const args of bad)
        await rejectsWith(
          () => untyped(bridge).invoke("jig.fault-report", args),
          "bad-request",
          `jig.fault-report ${JSON.stringify(args).slice(0, 80)}`,
        );
      let answer;
      try {
        answer = await bridge.invoke("jig.fault-report", good);
      } catch (err) {
        check(bridgeErrorCode(err) === "unavailable", `jig.fault-report failed with ${String(err)}`);
        return;
      }
      check(answer.ok, `a valid report was refused: ${JSON.stringify(answer)}`);
      const { entries } = await bridge.invoke("journal.pending", {});
      const entry = entries.find((e) => e.id === answer.reference);
      check(
        entry !== undefined && entry.kind === "fault.reported",
        "the report is not in the journal under its reference",
      );
      const p = entry.payload as { manual?: unknown; damage?: unknown; deviceId?: unknown };
      check(
        p.manual === true && p.damage === "cracked casing" && p.deviceId === good.deviceId,
        `journalled payload ${JSON.stringify(p)}`,
      );
    },
  },
  {
    name: "the journal holds results until acknowledged, oldest first, acks idempotent",
    async run({ bridge, seedJournal }) {
      const before = await bridge.invoke("journal.pending", {});
      check(before.total === 0, `fresh journal holds ${before.total} entries`);
      const changed = nextEvent(bridge, "journal.changed", (p) => p.pending === 2);
      await seedJournal("jig.slot-result", { slot: 1, ok: true });
      await seedJournal("jig.slot-result", { slot: 2, ok: false });
      await changed;
      const page = await bridge.invoke("journal.pending", { limit: 1 });
      check(page.total === 2 && page.entries.length === 1, `limit 1 gave ${page.entries.length} of ${page.total}`);
      const all = await bridge.invoke("journal.pending", {});
      const [first, second] = all.entries;
      check(first !== undefined && second !== undefined, "two entries expected");
      check(
        JSON.stringify(first.payload) === JSON.stringify({ slot: 1, ok: true }),
        `oldest first: got ${JSON.stringify(first.payload)}`,
      );
      check(first.id === page.entries[0]?.id, "the page and the full list disagree on the oldest entry");
      const ack = await bridge.invoke("journal.ack", { ids: [first.id] });
      check(ack.acknowledged === 1 && ack.remaining === 1, `ack gave ${JSON.stringify(ack)}`);
      const again = await bridge.invoke("journal.ack", { ids: [first.id] });
      check(again.acknowledged === 0 && again.remaining === 1, `repeated ack gave ${JSON.stringify(again)}`);
      const after = await bridge.invoke("journal.pending", {});
      check(after.entries.length === 1 && after.entries[0]?.id === second.id, "the unacknowledged entry must remain");
    },
  },
];
