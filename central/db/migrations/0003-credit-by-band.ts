import { sql, type Kysely } from "kysely";

/**
 * Credits follow the shared charges model (shared/domain/charges.ts): the rate depends on the
 * hub's HAN variant (Single or Dual Band), which central's SMI mirror may not know. Such a
 * credit is recorded unpriced (null) rather than guessed; the statement lists it as unpriced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table credits alter column amount_pence drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update credits set amount_pence = 0 where amount_pence is null`.execute(db);
  await sql`alter table credits alter column amount_pence set not null`.execute(db);
}
