import { describe, expect, it } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DockDb } from "../db/dock-db";
import { readMeta } from "../db/dock-meta";
import { ASN_BLOCK, AsnBlockKeeper } from "./asn-block";
import { FakeCentral } from "./fake-central";

let n = 0;
const freshDb = (name = `asn-block-${++n}`, idb = new IDBFactory()) => ({
  db: new DockDb(name, { indexedDB: idb, IDBKeyRange }),
  idb,
  name,
});
const keeper = (db: DockDb, central: FakeCentral) =>
  new AsnBlockKeeper(db, { target: { baseUrl: "http://central.test", token: null, fetch: central.fetch } });

async function issue(k: AsnBlockKeeper, times: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < times; i++) {
    const r = await k.next("OP-S");
    if (!r.ok) throw new Error(r.reason);
    out.push(r.asnNumber);
  }
  return out;
}

describe("ASN numbers from central only, at the dock (issue 17)", () => {
  it("two docks, a restarted dock and a wiped dock never issue the same number", async () => {
    const central = new FakeCentral();
    const a = freshDb();
    const b = freshDb();
    const fromA = await issue(keeper(a.db, central), 7);
    const fromB = await issue(keeper(b.db, central), 7);
    // Dock A restarts: a new keeper over the same database carries on from its stored block.
    a.db.close();
    const aAgain = new DockDb(a.name, { indexedDB: a.idb, IDBKeyRange });
    const afterRestart = await issue(keeper(aAgain, central), 4);
    // Dock B is wiped and reinstalled: an empty database reserves a fresh block.
    const wiped = freshDb();
    const afterWipe = await issue(keeper(wiped.db, central), 4);
    const all = [...fromA, ...fromB, ...afterRestart, ...afterWipe];
    expect(new Set(all).size).toBe(all.length);
    for (const x of all) expect(central.asnHandedOut).toContain(x);
    // Each dock issues its own numbers in the order central handed them out.
    expect([...fromA, ...afterRestart]).toEqual([...fromA, ...afterRestart].slice().sort());
  });

  it("keeps a block ahead while online, so an offline dock still issues until it is used up", async () => {
    const central = new FakeCentral();
    const { db } = freshDb();
    const k = keeper(db, central);
    await k.topUp("OP-S");
    expect(await k.remaining()).toBe(5);
    central.offline = true;
    const offline = await issue(k, 5);
    expect(offline).toEqual(central.asnHandedOut.slice(0, 5));
    const empty = await k.next("OP-S");
    expect(empty).toEqual({
      ok: false,
      reason: expect.stringMatching(/^No ASN numbers left on this dock: central cannot be reached/),
    });
    expect(await readMeta(db, ASN_BLOCK)).toEqual([]);
    central.offline = false;
    expect(await issue(k, 1)).toEqual(["ASN-00000006"]);
  });

  it("a number taken is gone for good even when what used it was never recorded (a crash between the two)", async () => {
    const central = new FakeCentral();
    const { db } = freshDb();
    const first = await issue(keeper(db, central), 1);
    // A new keeper (the app restarted) never hands out the number taken before.
    const next = await issue(keeper(db, central), 1);
    expect(next).not.toEqual(first);
  });

  it("only a supervisor may reserve: central's refusal is told without its internal code", async () => {
    const central = new FakeCentral();
    const { db } = freshDb();
    const r = await keeper(db, central).next("OP-R");
    expect(r).toEqual({
      ok: false,
      reason:
        "No ASN numbers left on this dock: central refused to reserve more (reserving an ASN number needs role supervisor). ASN numbers come only from central; reconnect this dock to central, then issue the ASN again. Nothing was issued.",
    });
    expect(central.asnHandedOut).toEqual([]);
  });

  it("tops up concurrently only once", async () => {
    const central = new FakeCentral();
    const { db } = freshDb();
    const k = keeper(db, central);
    await Promise.all([k.topUp("OP-S"), k.topUp("OP-S"), k.topUp("OP-S")]);
    expect(central.asnHandedOut).toHaveLength(5);
    expect(await readMeta(db, ASN_BLOCK)).toEqual(central.asnHandedOut);
  });
});
