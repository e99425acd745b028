import { Hono, type Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { readBody } from "../http/body";
import { deskAudit } from "../services/people";
import {
  DccContactSchema,
  DeskBusinessSettingsSchema,
  type DeskBusinessSettings,
  type DeskSettingsView,
} from "../../shared/desk-api";
import { deskDb } from "./schema";
import { needRole, type DeskEnv } from "./session";

/**
 * The DCC's business configuration and contact details, set at the desk (issue 19): charges,
 * working hours, delivery slots and packing limits, and whom a Party calls (printed on every
 * authorisation, Req 3). Validated with the shared schemas (shared/desk-api.ts), stored in
 * `desk_settings` (migration 0012), audited with what changed.
 *
 * They take effect at once in the central process that saved them (its configuration object is
 * updated in place, so the next request, notice or statement uses them) and, laid over
 * CENTRAL_CONFIG, in every central process at its next start (`storedDeskSettings` in main.ts).
 */

type DeskSettable = Pick<BusinessConfig, "charges" | "workingHours" | "deliverySlots" | "packing" | "dccContact">;

/** What the desk has stored, each part re-validated; a part that no longer parses is left out (the file's value stands). */
export async function storedDeskSettings(db: Kysely<Database>): Promise<Partial<DeskSettable>> {
  const rows = await deskDb(db).selectFrom("desk_settings").select(["key", "value"]).execute();
  const out: Partial<DeskSettable> = {};
  for (const r of rows) {
    const value: unknown = typeof r.value === "string" ? JSON.parse(r.value) : r.value;
    if (r.key === "business") {
      const b = DeskBusinessSettingsSchema.safeParse(value);
      if (b.success) Object.assign(out, b.data);
    } else if (r.key === "contact") {
      const c = DccContactSchema.safeParse(value);
      if (c.success) out.dccContact = c.data;
    }
  }
  return out;
}

export function settingsRoutes(deps: { db: Kysely<Database>; business: BusinessConfig }): Hono<DeskEnv> {
  const { db, business } = deps;
  const routes = new Hono<DeskEnv>();
  const admin = (c: Context<DeskEnv>) => needRole(c, "dcc-admin");

  const view = async (): Promise<DeskSettingsView> => {
    const rows = await deskDb(db).selectFrom("desk_settings").select(["key", "updated_by", "updated_at"]).execute();
    const changed = (key: string) => {
      const r = rows.find((x) => x.key === key);
      return r ? { by: r.updated_by, at: new Date(r.updated_at).toISOString() } : null;
    };
    return {
      business: {
        charges: business.charges,
        workingHours: business.workingHours,
        deliverySlots: business.deliverySlots,
        packing: business.packing,
      },
      contact: business.dccContact,
      changed: { business: changed("business"), contact: changed("contact") },
    };
  };

  const store = async (c: Context<DeskEnv>, key: "business" | "contact", value: unknown, changedKeys: string[]) => {
    const p = c.get("person");
    await db.transaction().execute(async (trx) => {
      const t = deskDb(trx);
      const json = JSON.stringify(value);
      await t
        .insertInto("desk_settings")
        .values({ key, value: json, updated_by: p.email })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({ value: json, updated_by: p.email, updated_at: new Date().toISOString() }),
        )
        .execute();
      await deskAudit(t, `person:${p.personId}`, `settings.${key}-changed`, { changed: changedKeys, value });
    });
  };

  routes.get("/", async (c) => {
    needRole(c, "dcc-admin", "dcc-ops");
    return c.json(await view());
  });

  routes.post("/business", async (c) => {
    admin(c);
    const next: DeskBusinessSettings = await readBody(c, DeskBusinessSettingsSchema);
    const keys = ["charges", "workingHours", "deliverySlots", "packing"] as const;
    const changedKeys = keys.filter((k) => JSON.stringify(business[k]) !== JSON.stringify(next[k]));
    await store(c, "business", next, changedKeys);
    Object.assign(business, next);
    return c.json(await view());
  });

  routes.post("/contact", async (c) => {
    admin(c);
    const next = await readBody(c, DccContactSchema);
    const changedKeys = (["name", "email", "phone"] as const).filter((k) => business.dccContact[k] !== next[k]);
    await store(c, "contact", next, changedKeys);
    business.dccContact = next;
    return c.json(await view());
  });

  return routes;
}
