import { hashPin, type PinHash } from "../../../shared/domain/operator-pin";
import type { OperatorRole } from "../../../shared/events";
import type { DockDb } from "../db/dock-db";
import { OPERATORS_SYNCED_AT, writeMeta } from "../db/dock-meta";
import type { DockStore } from "../store/slice-types";

/**
 * Operators as central would have synced them, for the renderer's unit tests: each has the PIN
 * `TEST_PIN` (hashed once per test file at the schema's lowest iteration count, so a sign-in costs
 * milliseconds; the sign-in code is the production one).
 */
export const TEST_PIN = "2468";

let hashed: Promise<PinHash> | null = null;
export function testPinHash(): Promise<PinHash> {
  hashed ??= hashPin(TEST_PIN, 100_000);
  return hashed;
}

/** Stores `operatorId` with `role` added to its roles, and marks the dock as having pulled its operators. */
export async function syncOperator(
  db: DockDb,
  operatorId: string,
  role: OperatorRole,
  name = operatorId,
): Promise<void> {
  const existing = await db.operators.get(operatorId);
  const roles = existing?.roles.includes(role) ? existing.roles : [...(existing?.roles ?? []), role];
  await db.operators.put({
    operatorId,
    name: existing?.name ?? name,
    facilityId: existing?.facilityId ?? "FAC-TEST",
    roles,
    active: true,
    pinHash: await testPinHash(),
  });
  await writeMeta(db, OPERATORS_SYNCED_AT, 0);
}

/** Syncs the operator (see `syncOperator`) and signs them in with their PIN, as the sign-in screen does. */
export async function signInAs(
  store: DockStore,
  db: DockDb,
  operatorId: string,
  role: OperatorRole,
  name?: string,
): Promise<void> {
  await syncOperator(db, operatorId, role, name);
  const outcome = await store.getState().signIn(operatorId, TEST_PIN, role);
  if (outcome !== "signed-in") throw new Error(`sign-in of ${operatorId} failed: ${store.getState().sessionError}`);
}
