import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { testBackends } from "../test-support";
import { backupCentral, restoreCentral } from "../backup";
import { hubsOf, scanEvent } from "../demo-events";
import { PushResponseSchema } from "../../shared/sync";
import { post, seedCampaignDatabase, startCentral } from "./processes";

/**
 * Backup of a running central and restore into a new instance (issue 21). Events pushed before
 * the backup and resent to the restored central are duplicates; those pushed after it are
 * accepted there once, and a second resend is all duplicate.
 */
describe.each(testBackends())("backup and restore on %s", (kind) => {
  it("a backup taken while central runs restores into a new central that takes every later push once", async () => {
    const adminUrl = process.env.TEST_DATABASE_URL;
    const dir = await mkdtemp(join(tmpdir(), "backup-"));
    const world = await seedCampaignDatabase(kind, join(dir, "source"), adminUrl ? { adminUrl } : {});
    const token = world.tokens.docks["DOCK-N1"] ?? "";
    const booking = world.bookings[0];
    if (!booking) throw new Error("no booking");
    const events = hubsOf(booking)
      .slice(0, 400)
      .map((h) => scanEvent({ dockId: "DOCK-N1", operatorId: "OP-N-RECV" }, booking.bookingRef, h));
    const before = JSON.stringify({ events: events.slice(0, 200) });
    const after = JSON.stringify({ events: events.slice(200) });
    const push = async (url: string, body: string) => {
      const a = await post(url, "/sync/push", token, body);
      expect(a.status).toBe(200);
      return PushResponseSchema.parse(JSON.parse(a.text));
    };
    let restoredDb: string | null = null;
    const source = await startCentral(world.env);
    try {
      expect((await push(source.url, before)).accepted).toBe(200);
      // The backup while central runs (and a push racing it).
      const [files] = await Promise.all([
        backupCentral(
          {
            databaseUrl: world.env.DATABASE_URL ?? null,
            dataDir: world.dataDir,
            centralUrl: source.url,
            dccToken: world.tokens.dcc,
          },
          join(dir, "backup"),
        ),
        push(source.url, JSON.stringify({ events: events.slice(0, 50) })),
      ]);
      expect((await push(source.url, after)).accepted).toBe(200);
      await source.stop();

      const target = { databaseUrl: null as string | null, dataDir: join(dir, "restored") };
      if (kind === "postgres" && adminUrl) {
        const name = `restored_${randomBytes(5).toString("hex")}`;
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`create database ${name}`);
        await c.end();
        const u = new URL(adminUrl);
        u.pathname = `/${name}`;
        target.databaseUrl = u.toString();
        restoredDb = name;
      }
      await restoreCentral(join(dir, "backup"), target);
      const restored = await startCentral({
        CENTRAL_DATA_DIR: target.dataDir,
        ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
      });
      try {
        const replayBefore = await push(restored.url, before);
        const resendAfter = await push(restored.url, after);
        const again = await push(restored.url, after);
        console.log(
          `backup and restore | ${kind} | backup (${files.join(", ")}) taken while central ran and took a push; 200 events before it, 200 after; restored into a new central | before-backup events resent: ${replayBefore.duplicate} duplicate, ${replayBefore.accepted} accepted; after-backup events resent: ${resendAfter.accepted} accepted, again ${again.duplicate} duplicate, ${again.accepted} accepted | expected 200/0, 200, 200/0`,
        );
        expect([
          replayBefore.duplicate,
          replayBefore.accepted,
          resendAfter.accepted,
          again.duplicate,
          again.accepted,
        ]).toEqual([200, 0, 200, 200, 0]);
      } finally {
        await restored.stop();
      }
    } finally {
      await source.kill();
      await world.drop();
      if (restoredDb && adminUrl) {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`drop database if exists ${restoredDb} with (force)`);
        await c.end();
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
