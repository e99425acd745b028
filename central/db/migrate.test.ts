import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { migrateToLatest } from "./migrate";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";

describe.each(testBackends())("migrations on %s", (backend) => {
  let w: TestWorld;
  beforeAll(async () => { w = await openTestWorld(backend); });
  afterAll(async () => w?.close());

  it("ran to the latest version; running again changes nothing", async () => {
    expect(await migrateToLatest(w.database.db as unknown as Kysely<unknown>)).toEqual([]);
    const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(w.database.db);
    expect(r.rows.map((x) => x.name)).toEqual(["0001-initial", "0002-lighter-events", "0003-credit-by-band"]);
  });

  it("the ASN sequence never hands out a number twice, even across rolled-back transactions", async () => {
    const next = async () => Number((await sql<{ n: string }>`select nextval('asn_numbers') as n`.execute(w.database.db)).rows[0]?.n);
    const a = await next();
    await w.database.db.transaction().execute(async (trx) => {
      await sql`select nextval('asn_numbers')`.execute(trx);
      throw new Error("roll back");
    }).catch(() => undefined);
    expect(await next()).toBe(a + 2);
  });
});
