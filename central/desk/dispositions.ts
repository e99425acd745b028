import { Hono } from "hono";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { readBody } from "../http/body";
import { failedHubs, recordDisposition, returnsList } from "../services/dispositions";
import { deskAudit } from "../services/people";
import { parseDeviceId } from "../../shared/domain/device-id";
import { DispositionRequestSchema } from "../../shared/desk-api";
import { toCsv } from "./files";
import { needRole, type DeskEnv } from "./session";
import { deskDb } from "./schema";

/**
 * The desk's dispositions of failed hubs (risk R-001, PIA 6.2.1), for DCC admins and operations
 * staff: the failed hubs with what became of each, the decision (scrapped or returned to the
 * manufacturer, once per hub, audited against the hub and in the desk's own audit), and the
 * returns list per manufacturer as a CSV file.
 */
export function dispositionsRoutes(db: Kysely<Database>): Hono<DeskEnv> {
  const r = new Hono<DeskEnv>();
  const staff = (c: Parameters<typeof needRole>[0]) => needRole(c, "dcc-admin", "dcc-ops");

  r.get("/", async (c) => {
    staff(c);
    return c.json(await failedHubs(db, { pending: c.req.query("pending") === "1" }));
  });

  r.get("/returns.csv", async (c) => {
    staff(c);
    const m = z
      .string()
      .regex(/^[0-9A-F]{4}$/)
      .safeParse(c.req.query("manufacturer"));
    if (!m.success) throw new ApiError(400, "invalid-query", "name the manufacturer by its 4 hex digits, e.g. AB01");
    return c.body(toCsv(await returnsList(db, m.data)), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="returns-${m.data}.csv"`,
    });
  });

  r.post("/:deviceId", async (c) => {
    const p = staff(c);
    const id = parseDeviceId(c.req.param("deviceId"));
    if (!id.ok) throw new ApiError(400, "invalid-path", "that is not a hub ID");
    const body = await readBody(c, DispositionRequestSchema);
    const actor = `person:${p.personId}`;
    const row = await recordDisposition(db, id.deviceId, body, actor);
    await deskAudit(deskDb(db), actor, "hub.disposition", { deviceId: id.deviceId, ...body });
    return c.json(row, 201);
  });

  return r;
}
