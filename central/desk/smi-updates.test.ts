import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";
import { loadBooking } from "../services/bookings";
import { serviceReportDemoBatches } from "../demo-report-events";
import { PushResponseSchema } from "../../shared/sync";
import type { DeskCspmN3Result, DeskSmiView } from "../../shared/desk-api";
import { deskDb } from "./schema";
import { FAST_POLICY, signedIn, type DeskClient } from "./test-client";

const upload = (fileName: string, text: string | Buffer) => ({
  fileName,
  contentBase64: Buffer.from(text).toString("base64"),
});

describe.each(testBackends())("SMI updates at the desk on %s", (backend) => {
  let w: TestWorld;
  let ops: DeskClient;
  let party: DeskClient;
  let ssmi: string[];
  const view = async () => (await ops.call("GET", "/desk/api/smi")).json as unknown as DeskSmiView;
  const firmwareOf = async (id: string) =>
    (
      await w.database.db
        .selectFrom("inventory")
        .select("firmware_version")
        .where("device_id", "=", id)
        .executeTakeFirstOrThrow()
    ).firmware_version;

  beforeAll(async () => {
    w = await openTestWorld(backend);
    const app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST_POLICY, deskDist: null },
    });
    ops = await signedIn(app, w.database.db, "dcc-ops");
    party = await signedIn(app, w.database.db, "party-user", "SUPPLIER-A");
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const day0 = new Date(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`) - 4 * 86_400_000);
    // 141 hubs re-flashed (and 19 failed) at the demo dock: 141 SMI updates due.
    for (const events of (await serviceReportDemoBatches(b, "Supplier A Energy", day0)).work) {
      const r = await w.call("POST", "/sync/push", { token: w.tokens.docks["DOCK-N1"], body: { events } });
      expect(PushResponseSchema.parse(r.json).results.every((x) => x.status === "accepted")).toBe(true);
    }
  });
  afterAll(async () => w?.close());

  it("lists the pending updates and downloads the SSMI file", async () => {
    const v = await view();
    expect(v.counts).toEqual({ pending: 141, emitted: 0, uploaded: 0 });
    expect(v.pending).toHaveLength(141);
    expect(v.held).toEqual([]);
    const r = await ops.call("GET", "/desk/api/smi/ssmi.csv");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(/attachment; filename="SSMI-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(r.headers.get("x-ssmi-held")).toBe("0");
    ssmi = r.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    expect(ssmi[0]).toBe("DeviceID,FirmwareVersion");
    expect(ssmi).toHaveLength(142);
    expect(new Set(ssmi.slice(1).map((l) => l.split(",")[0]))).toEqual(new Set(v.pending.map((p) => p.deviceId)));
  });

  it("an uploaded file with bad rows shows each with its line and reason and applies nothing", async () => {
    const [, first = "", second = ""] = ssmi;
    const firstId = first.split(",")[0] ?? "";
    const bad = [
      "DeviceID,FirmwareVersion",
      first,
      "not-a-hub,00030000",
      `${second.split(",")[0]},0002012F`,
      "00-00-00-00-00-00-00-09,00030000",
      `${first},extra`,
      first,
    ].join("\r\n");
    const r = await ops.call("POST", "/desk/api/smi/ssmi-upload", upload("ssmi-back.csv", bad));
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe("5 row(s) refused; nothing was applied");
    const rows = r.json.badRows as Array<{ line: number; reason: string }>;
    expect(rows.map((x) => x.line)).toEqual([3, 4, 5, 6, 7]);
    expect(rows[0]?.reason).toMatch(/not a device ID/);
    expect(rows[1]?.reason).toMatch(/not a production firmware version/);
    expect(rows[2]?.reason).toMatch(/not in the Smart Metering Inventory/);
    expect(rows[3]?.reason).toMatch(/expected 2 columns, got 3/);
    expect(rows[4]?.reason).toMatch(/listed twice/);
    expect(await firmwareOf(firstId)).toBe("0002012F");
    expect((await view()).counts.pending).toBe(141);
    for (const [name, bytes, why] of [
      ["latin1.csv", Buffer.from([0x44, 0xe9, 0x0a]), /not UTF-8/],
      ["header-only.csv", Buffer.from("DeviceID,FirmwareVersion\r\n"), /lists no hubs/],
      ["wrong-header.csv", Buffer.from(`Device,Version\r\n${first}\r\n`), /header/],
    ] as const) {
      const x = await ops.call("POST", "/desk/api/smi/ssmi-upload", upload(name, bytes));
      expect(x.status, name).toBe(422);
      expect(JSON.stringify(x.json), name).toMatch(why);
    }
    expect((await ops.call("POST", "/desk/api/smi/ssmi-upload", { fileName: "e.csv", contentBase64: "" })).status).toBe(
      400,
    );
  });

  it("a good file (as downloaded, part of it) is applied: the SMI mirror holds the new version", async () => {
    const part = [...ssmi.slice(0, 11)].join("\r\n");
    const r = await ops.call("POST", "/desk/api/smi/ssmi-upload", upload("ssmi-back.csv", `\uFEFF${part}\r\n`));
    expect(r).toMatchObject({ status: 200, json: { applied: 10 } });
    expect(await firmwareOf(ssmi[1]?.split(",")[0] ?? "")).toBe("00030000");
    expect((await view()).counts).toEqual({ pending: 131, emitted: 0, uploaded: 10 });
  });

  it("sends a CSPM-N3 for every hub still pending", async () => {
    const r = await ops.call("POST", "/desk/api/smi/cspm-n3");
    expect(r.status).toBe(200);
    const out = r.json as unknown as DeskCspmN3Result;
    expect(out.messages).toHaveLength(131);
    expect(out.refused).toEqual([]);
    expect(out.messages[0]).toMatchObject({ deviceFirmwareVersion: "00030000", previousFirmwareVersion: "0002012F" });
    expect((await view()).counts).toEqual({ pending: 0, emitted: 131, uploaded: 10 });
    const again = (await ops.call("POST", "/desk/api/smi/cspm-n3")).json as unknown as DeskCspmN3Result;
    expect(again.messages).toEqual([]);
    const actions = (await deskDb(w.database.db).selectFrom("desk_audit").select("action").execute()).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(["smi.ssmi-uploaded", "smi.cspm-n3-sent"]));
  });

  it("is refused to a Party's user", async () => {
    expect((await party.call("GET", "/desk/api/smi")).status).toBe(403);
    expect((await party.call("POST", "/desk/api/smi/cspm-n3")).status).toBe(403);
    expect((await party.call("GET", "/desk/api/smi/ssmi.csv")).status).toBe(403);
  });
});
