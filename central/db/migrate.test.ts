import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { migrateToLatest } from "./migrate";
import * as m0004 from "./migrations/0004-smi-update-per-hub";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";

describe.each(testBackends())("migrations on %s", (backend) => {
  let w: TestWorld;
  beforeAll(async () => {
    w = await openTestWorld(backend);
  });
  afterAll(async () => w?.close());

  it("ran to the latest version; running again changes nothing", async () => {
    expect(await migrateToLatest(w.database.db as unknown as Kysely<unknown>)).toEqual([]);
    const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(w.database.db);
    expect(r.rows.map((x) => x.name)).toEqual([
      "0001-initial",
      "0002-lighter-events",
      "0003-credit-by-band",
      "0004-smi-update-per-hub",
      "0005-scoped-audit",
      "0006-desk-people",
      "0007-pallet-listed-hubs",
      "0008-asn-blocks",
      "0010-dispositions-han-variant",
      "0011-intake-dispatch-cancel",
      "0012-desk-firmware-settings",
      "0013-operator-pins",
    ]);
  });

  it("the ASN sequence never hands out a number twice, even across rolled-back transactions", async () => {
    const next = async () =>
      Number((await sql<{ n: string }>`select nextval('asn_numbers') as n`.execute(w.database.db)).rows[0]?.n);
    const a = await next();
    await w.database.db
      .transaction()
      .execute(async (trx) => {
        await sql`select nextval('asn_numbers')`.execute(trx);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(await next()).toBe(a + 2);
  });

  it("0004: a hub flashed twice before it keeps only its latest pending SMI update, and can have no second one", async () => {
    const db = w.database.db;
    await m0004.down(db as unknown as Kysely<unknown>);
    const row = (n: number, status: "pending" | "emitted") => ({
      event_id: `m4-${n}`,
      device_id: n < 3 ? "00-00-00-00-00-00-04-01" : "00-00-00-00-00-00-04-02",
      booking_ref: null,
      device_model: "010A030B",
      new_firmware: `0003000${n}`,
      status,
    });
    await db
      .insertInto("smi_updates")
      .values([row(1, "pending"), row(2, "pending"), row(3, "emitted"), row(4, "pending")])
      .execute();
    await m0004.up(db as unknown as Kysely<unknown>);
    const rows = await db
      .selectFrom("smi_updates")
      .select(["event_id", "status"])
      .where("event_id", "like", "m4-%")
      .orderBy("event_id")
      .execute();
    expect(rows).toEqual([
      { event_id: "m4-1", status: "superseded" },
      { event_id: "m4-2", status: "pending" },
      { event_id: "m4-3", status: "emitted" },
      { event_id: "m4-4", status: "pending" },
    ]);
    await expect(db.insertInto("smi_updates").values(row(5, "pending")).execute()).rejects.toThrow();
    await db.deleteFrom("smi_updates").where("event_id", "like", "m4-%").execute();
  });
});
