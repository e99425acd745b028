import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";

export interface StatementLine { kind: "explicit-charge" | "credit" | "return-charge"; ref: string; hubs: number; unitPence: number; amountPence: number }
export interface Statement { partyId: string; from: string; to: string; lines: StatementLine[]; totalPence: number }

/**
 * A Party's statement for a period (dates inclusive, UTC): the Explicit Charge per hub
 * re-flashed, credits for hubs not re-flashable, return charges for hubs rejected at receipt.
 * Rates come from configuration; credits keep the amount recorded when they were granted.
 */
export async function partyStatement(db: Kysely<Database>, cfg: BusinessConfig, partyId: string, from: string, to: string): Promise<Statement> {
  const toExclusive = sql<string>`(${to}::date + 1)`;
  const flashed = await db
    .selectFrom("flash_results")
    .innerJoin("bookings", "bookings.booking_ref", "flash_results.booking_ref")
    .select(["bookings.booking_ref as ref", (eb) => eb.fn.count<string>("flash_results.device_id").distinct().as("n")])
    .where("bookings.party_id", "=", partyId)
    .where("flash_results.ok", "=", true)
    .where(sql<boolean>`flash_results.at::timestamptz >= ${from}::date and flash_results.at::timestamptz < ${toExclusive}`)
    .groupBy("bookings.booking_ref")
    .orderBy("bookings.booking_ref")
    .execute();
  const credits = await db
    .selectFrom("credits")
    .select(["booking_ref", (eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.sum<string>("amount_pence").as("total")])
    .where("party_id", "=", partyId)
    .where(sql<boolean>`at >= ${from}::date and at < ${toExclusive}`)
    .groupBy("booking_ref")
    .orderBy("booking_ref")
    .execute();
  const returns = await db
    .selectFrom("receipt_outcomes")
    .innerJoin("bookings", "bookings.booking_ref", "receipt_outcomes.booking_ref")
    .select(["receipt_outcomes.booking_ref as ref", "receipt_outcomes.detail"])
    .where("bookings.party_id", "=", partyId)
    .where(sql<boolean>`receipt_outcomes.at >= ${from}::date and receipt_outcomes.at < ${toExclusive}`)
    .orderBy("receipt_outcomes.booking_ref")
    .execute();
  const lines: StatementLine[] = [];
  for (const f of flashed) {
    const n = Number(f.n);
    lines.push({ kind: "explicit-charge", ref: f.ref, hubs: n, unitPence: cfg.charges.explicitChargePence, amountPence: n * cfg.charges.explicitChargePence });
  }
  for (const c of credits) {
    const n = Number(c.n);
    const total = Number(c.total);
    lines.push({ kind: "credit", ref: c.booking_ref ?? "(no booking)", hubs: n, unitPence: n === 0 ? 0 : Math.round(total / n), amountPence: -total });
  }
  for (const r of returns) {
    const n = ((r.detail as { rejectedHubs?: unknown[] }).rejectedHubs ?? []).length;
    if (n > 0) lines.push({ kind: "return-charge", ref: r.ref, hubs: n, unitPence: cfg.charges.returnChargePence, amountPence: n * cfg.charges.returnChargePence });
  }
  return { partyId, from, to, lines, totalPence: lines.reduce((s, l) => s + l.amountPence, 0) };
}
