import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { PersonRole } from "../../shared/desk-api";
import { DEMO_PARTIES } from "../../shared/domain/demo-booking";
import { createPerson, deskAudit, DEFAULT_SCRYPT_COST, type ScryptCost } from "../services/people";
import { deskDb } from "./schema";

export interface DemoAccount {
  email: string;
  password: string;
  role: PersonRole;
  partyId: string | null;
  name: string;
}

/**
 * The demo world's desk accounts (seed only): a DCC admin, a DCC operations user and one user
 * per demo Party. Passwords are random, made here once and written by the seed to
 * desk-accounts.json (mode 600) beside tokens.json; only their scrypt hashes are stored.
 */
export async function seedDemoPeople(
  db: Kysely<Database>,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<DemoAccount[]> {
  const password = () => `demo-${randomBytes(9).toString("base64url")}`;
  const accounts: DemoAccount[] = [
    { email: "admin@dcc.example", name: "Dana Admin", role: "dcc-admin", partyId: null, password: password() },
    { email: "ops@dcc.example", name: "Omar Operations", role: "dcc-ops", partyId: null, password: password() },
    ...DEMO_PARTIES.map((p) => ({
      email: `portal@${p.id.toLowerCase()}.example`,
      name: `${p.name} returns desk`,
      role: "party-user" as const,
      partyId: p.id,
      password: password(),
    })),
  ];
  const desk = deskDb(db);
  for (const a of accounts) await createPerson(desk, a, cost);
  await deskAudit(desk, "seed", "demo-people.created", { emails: accounts.map((a) => a.email) });
  return accounts;
}
