import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { wakePokeHubs } from "./pokes";

/** Appends to the pull feed: docks of `facilityId` (or every dock, when null) will pull `key` again. */
export async function recordChange(
  db: Kysely<Database>,
  kind: "booking" | "firmware" | "operator",
  key: string,
  facilityId: string | null,
): Promise<void> {
  await db.insertInto("changes").values({ kind, key, facility_id: facilityId }).execute();
  // The docks listening for pokes (pokes.ts) are told once the change is committed.
  wakePokeHubs();
}
