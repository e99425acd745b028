import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { statement, type ChargeableHub, type HanVariant, type Statement } from "../../shared/domain/charges";
import { ApiError } from "../http/api-error";
import { siteInstant, wallTime } from "../../shared/domain/site-clock";
import { addDays, siteZone } from "./working-time";

/**
 * A Party's statement for a period (dates inclusive): the shared charges rule (`statement`
 * from shared/domain/charges.ts, the one the dock's supervisor screen uses) over central's
 * hub stories. A hub re-flashed is charged the Explicit Charge (and the redeployable return
 * charge); a hub with a Fault Analysis Report is credited and charged by HAN variant, listed
 * as unpriced only where the SMI mirror does not know the variant; a hub with both counts once, by the latest. A
 * failed flash with no fault report is not the hub's fault (the target changed before it was
 * touched, another hub answered in the slot) and is charged nothing, as on the dock.
 */
export async function partyStatement(
  db: Kysely<Database>,
  cfg: BusinessConfig,
  partyId: string,
  from: string,
  to: string,
): Promise<Statement> {
  const party = await db.selectFrom("parties").select(["id", "name"]).where("id", "=", partyId).executeTakeFirst();
  if (!party) throw new ApiError(404, "unknown-party", `party ${partyId} is not registered`);
  // `at` is the dock's ISO instant (UTC); the day an outcome was decided is its date on the site's
  // clock (issue 16), so the period runs from `from` 00:00 to the end of `to` at the site.
  const tz = siteZone(cfg);
  const { startAt, endAt } = statementWindow(from, to, tz);
  const inPeriod = (at: "flash_results.at" | "fault_reports.at") =>
    sql<boolean>`${sql.ref(at)}::timestamptz >= ${startAt}::timestamptz and ${sql.ref(at)}::timestamptz < ${endAt}::timestamptz`;
  const reflashed = db
    .selectFrom("flash_results")
    .innerJoin("bookings", "bookings.booking_ref", "flash_results.booking_ref")
    .select([
      "flash_results.device_id as device_id",
      "flash_results.booking_ref as booking_ref",
      "flash_results.at as at",
      sql<ChargeableHub["outcome"]>`'reflashed'`.as("outcome"),
    ])
    .where("bookings.party_id", "=", partyId)
    .where("flash_results.ok", "=", true)
    .where(inPeriod("flash_results.at"));
  const reported = db
    .selectFrom("fault_reports")
    .innerJoin("bookings", "bookings.booking_ref", "fault_reports.booking_ref")
    .select([
      "fault_reports.device_id as device_id",
      "fault_reports.booking_ref as booking_ref",
      "fault_reports.at as at",
      sql<ChargeableHub["outcome"]>`'not-reflashable'`.as("outcome"),
    ])
    .where("bookings.party_id", "=", partyId)
    .where(inPeriod("fault_reports.at"));
  const rows = await reflashed.unionAll(reported).orderBy("at").execute();
  // Each hub's HAN variant from the SMI mirror prices its credit and return charge.
  const ids = [...new Set(rows.map((r) => r.device_id))];
  const variants = new Map<string, HanVariant>();
  for (let i = 0; i < ids.length; i += 5000)
    for (const v of await db
      .selectFrom("inventory")
      .select(["device_id", "han_variant"])
      .where(sql<boolean>`device_id = any(${ids.slice(i, i + 5000)}::text[])`)
      .execute())
      if (v.han_variant !== null) variants.set(v.device_id, v.han_variant);
  const hubs: ChargeableHub[] = rows.map((r) => ({
    deviceId: r.device_id,
    partyId,
    bookingRef: r.booking_ref ?? "",
    outcome: r.outcome,
    date: statementDay(r.at, tz),
    // Where the mirror does not know it, the shared rule lists the hub as unpriced rather than guess.
    hanVariant: variants.get(r.device_id) ?? null,
  }));
  const result = statement({ partyId, partyName: party.name }, { from, to }, hubs, cfg.charges);
  if (!result.ok) throw new ApiError(400, "bad-statement-request", result.reason);
  return result.statement;
}

/** A statement period's instants: from `from` 00:00 up to (not including) the day after `to` 00:00, at the site. */
export function statementWindow(from: string, to: string, tz: string): { startAt: string; endAt: string } {
  return {
    startAt: siteInstant(from, "00:00", tz).toISOString(),
    endAt: siteInstant(addDays(to, 1), "00:00", tz).toISOString(),
  };
}

/** The day an outcome counts on a statement: the date of its instant on the site's clock, not UTC's. */
export function statementDay(at: string, tz: string): string {
  return wallTime(new Date(at), tz).date;
}
