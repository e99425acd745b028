import type { DockDb } from "./dock-db";
import type { PinAttempts } from "../../../shared/domain/operator-pin";

/**
 * The dock's small settings (the `meta` table), read and written through typed keys: a key
 * names its value's type once, where it is declared, and every read and write goes through
 * these three functions, so no caller casts what it reads. What central sends in lists
 * (operators, firmware, amendments) and the supervisor's records (manifest bases, ASN
 * documents) have typed tables of their own (dock-records.ts).
 */

export interface MetaKey<T> {
  readonly name: string;
  /** Never set: carries the value's type. */
  readonly valueType?: T;
}

export function metaKey<T>(name: string): MetaKey<T> {
  return { name };
}

export async function readMeta<T>(db: DockDb, key: MetaKey<T>): Promise<T | undefined> {
  // The one cast: a key's value is only ever written by writeMeta with that same key.
  return (await db.meta.get(key.name))?.value as T | undefined;
}

export async function writeMeta<T>(db: DockDb, key: MetaKey<T>, value: T): Promise<void> {
  await db.meta.put({ key: key.name, value });
}

export async function deleteMeta<T>(db: DockDb, key: MetaKey<T>): Promise<void> {
  await db.meta.delete(key.name);
}

/** The dock's device token for central, as the host last handed it. */
export const SYNC_TOKEN = metaKey<string>("sync.token");
/** Where the last pull from central ended. */
export const SYNC_CURSOR = metaKey<string>("sync.cursor");
/** The last measured server-minus-device clock offset (events are stamped before the first answer). */
export const CLOCK_OFFSET = metaKey<number>("sync.clockOffsetMs");
/** When central last answered a whole sync round (epoch ms), for the health bar after a reload. */
export const LAST_SYNC_SUCCESS = metaKey<number>("sync.lastSuccessAt");
/** The receipt open on screen, reopened after a reload. */
export const ACTIVE_RECEIPT = metaKey<string>("session.activeReceipt");
/** When this dock first applied a pull from central (epoch ms): until then nobody can sign in. */
export const OPERATORS_SYNCED_AT = metaKey<number>("sync.operatorsSyncedAt");
/** One operator ID's wrong PINs at this dock, for the PIN hash (salt) they were made against. */
export function pinAttemptsKey(operatorId: string): MetaKey<PinAttempts & { salt: string }> {
  return metaKey(`session.pinAttempts.${operatorId}`);
}
