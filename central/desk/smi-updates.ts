import { Hono, type Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { readBody } from "../http/body";
import { buildSsmiFile, emitCspmN3, uploadSsmiFile } from "../services/smi-update";
import { deskAudit } from "../services/people";
import { UploadSchema, type DeskSmiView } from "../../shared/desk-api";
import { decodeUpload } from "./files";
import { deskDb } from "./schema";
import { needRole, type DeskEnv } from "./session";

/**
 * SMI firmware updates at the desk (MP155 Req 10), through the same services as the bearer API:
 * Option A sends a CSPM-N3 per pending hub; Option B downloads the SSMI upload file and reads
 * the SMI's file back, every bad row with its line and reason (a file with any bad row applies
 * nothing). Each change is audited.
 */
export function smiUpdateRoutes(deps: { db: Kysely<Database> }): Hono<DeskEnv> {
  const { db } = deps;
  const desk = deskDb(db);
  const routes = new Hono<DeskEnv>();
  const staff = (c: Context<DeskEnv>) => needRole(c, "dcc-admin", "dcc-ops");
  const actor = (c: Context<DeskEnv>) => `person:${c.get("person").personId}`;

  routes.get("/", async (c) => {
    staff(c);
    const [counts, pending, ssmi] = await Promise.all([
      db
        .selectFrom("smi_updates")
        .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
        .groupBy("status")
        .execute(),
      db
        .selectFrom("smi_updates")
        .select(["device_id", "booking_ref", "new_firmware", "created_at"])
        .where("status", "=", "pending")
        .orderBy("id")
        .limit(500)
        .execute(),
      buildSsmiFile(db),
    ]);
    const count = (s: string) => Number(counts.find((r) => r.status === s)?.n ?? 0);
    const view: DeskSmiView = {
      counts: { pending: count("pending"), emitted: count("emitted"), uploaded: count("uploaded") },
      pending: pending.map((p) => ({
        deviceId: p.device_id,
        bookingRef: p.booking_ref,
        newFirmware: p.new_firmware,
        createdAt: new Date(p.created_at).toISOString(),
      })),
      held: ssmi.held,
    };
    return c.json(view);
  });

  routes.post("/cspm-n3", async (c) => {
    staff(c);
    const r = await emitCspmN3(db);
    await deskAudit(desk, actor(c), "smi.cspm-n3-sent", { messages: r.messages.length, refused: r.refused.length });
    return c.json(r);
  });

  routes.get("/ssmi.csv", async (c) => {
    staff(c);
    const { file, held } = await buildSsmiFile(db);
    return c.body(file, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="SSMI-${new Date().toISOString().slice(0, 10)}.csv"`,
      "x-ssmi-held": String(held.length),
    });
  });

  routes.post("/ssmi-upload", async (c) => {
    staff(c);
    const body = await readBody(c, UploadSchema);
    const file = decodeUpload(body);
    if (!file.ok) throw new ApiError(422, "bad-file", file.reason);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
    } catch {
      throw new ApiError(422, "bad-file", `${body.fileName} is not UTF-8 text; upload the SSMI file as CSV`);
    }
    const r = await uploadSsmiFile(db, text);
    if (r.badRows.length > 0)
      return c.json(
        {
          error: "bad-rows",
          reason: `${r.badRows.length} row(s) refused; nothing was applied`,
          badRows: r.badRows.map((b) => ({
            line: b.line,
            reason: b.text === "" ? b.reason : `${b.text}: ${b.reason}`,
          })),
        },
        422,
      );
    await deskAudit(desk, actor(c), "smi.ssmi-uploaded", { fileName: body.fileName, applied: r.applied });
    return c.json({ applied: r.applied });
  });

  return routes;
}
