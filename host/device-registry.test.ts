import { describe, expect, it } from "vitest";
import { createDeviceRegistry } from "./device-registry";

const scanner = (id: string) => ({
  id,
  kind: "scanner" as const,
  name: `Scanner ${id}`,
  vendorId: 0x0c2e,
  productId: 0x0b87,
  simulated: false,
  state: "connected" as const,
  detail: null,
});

describe("device registry (the devices panel's list)", () => {
  it("shows a read legibly (GS as ⟨GS⟩), clipped, and announces every change", () => {
    let t = 0;
    const r = createDeviceRegistry(() => new Date(Date.UTC(2026, 11, 4, 9, 0, t++)));
    const heard: number[] = [];
    r.onChange((list) => heard.push(list.length));
    r.upsert(scanner("A"));
    r.recordRead("A", `]C1\x1d01${"9".repeat(300)}`, new Date(Date.UTC(2026, 11, 4, 9, 30)));
    r.recordRead("nobody", "x", new Date());
    const [a] = r.list();
    expect(a?.lastRead?.raw.startsWith("]C1⟨GS⟩01999")).toBe(true);
    expect(a?.lastRead?.raw).toHaveLength(200);
    expect(heard).toEqual([1, 1]);
    // The same state keeps its "since"; a new state gets a new one; a re-plug keeps the last read.
    const since = a?.since;
    r.setState("A", "connected", "a read was dropped: empty read; scan that code again");
    expect(r.list()[0]?.since).toBe(since);
    r.setState("A", "disconnected", "unplugged");
    expect(r.list()[0]?.since).not.toBe(since);
    r.upsert(scanner("A"));
    expect(r.list()[0]).toMatchObject({ state: "connected", lastRead: { at: "2026-12-04T09:30:00.000Z" } });
  });

  it("holds at most 64 devices, forgetting an unplugged one first, never a connected one", () => {
    const r = createDeviceRegistry();
    for (let i = 0; i < 64; i++) r.upsert(scanner(`S${i}`));
    r.upsert(scanner("late"));
    expect(r.list()).toHaveLength(64);
    expect(r.list().some((d) => d.id === "late")).toBe(false);
    r.setState("S3", "disconnected", "unplugged");
    r.upsert(scanner("late"));
    expect(r.list().map((d) => d.id)).toContain("late");
    expect(r.list().map((d) => d.id)).not.toContain("S3");
  });
});
