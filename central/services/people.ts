import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { Kysely } from "kysely";
import type { DeskDatabase } from "../desk/schema";
import type { PersonRole } from "../../shared/desk-api";

/**
 * People who sign in to the desk: password hashing, sign-in with lockout, server-side
 * sessions, one-time setup links, and the desk audit.
 *
 * Passwords are hashed with scrypt from node:crypto (OpenSSL's implementation, no native
 * add-on to build or download). Argon2id is the first choice of OWASP's password storage
 * sheet, but its npm packages ship a prebuilt binary per platform or build one at install;
 * scrypt at OWASP's stated minimum (N = 2^17, r = 8, p = 1) is their listed alternative and
 * needs nothing installed. The parameters are stored in each hash, so raising them later
 * leaves existing hashes verifiable.
 */

export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}
/** OWASP Password Storage Cheat Sheet: scrypt N=2^17 (128 MiB), r=8, p=1. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { log2N: 17, r: 8, p: 1 };
const KEY_BYTES = 64;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const opts: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * 2 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$<log2 N>$<r>$<p>$<salt base64>$<key base64>` */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return ["scrypt", cost.log2N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [log2N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 22) return false;
  const expected = Buffer.from(parts[5] ?? "", "base64");
  const key = await scryptAsync(password, Buffer.from(parts[4] ?? "", "base64"), { log2N, r, p });
  return expected.length === key.length && timingSafeEqual(expected, key);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

// ------------------------------------------------------------ audit
export async function deskAudit(
  db: Kysely<DeskDatabase>,
  actor: string,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await db
    .insertInto("desk_audit")
    .values({ actor, action, detail: JSON.stringify(detail) })
    .execute();
}

// ------------------------------------------------------------ sign-in, lockout
export interface SignInPolicy {
  /** Consecutive failures that lock an account. */
  maxFailures: number;
  lockMinutes: number;
  /** A session ends this long after sign-in, and after this long unused. */
  sessionHours: number;
  idleMinutes: number;
  cost: ScryptCost;
}
export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = {
  maxFailures: 5,
  lockMinutes: 15,
  sessionHours: 12,
  idleMinutes: 30,
  cost: DEFAULT_SCRYPT_COST,
};

export type SignInResult =
  | { ok: true; personId: string; sessionToken: string; csrfToken: string }
  | { ok: false; reason: string; locked: boolean };

/** Compared against when the email is unknown, so an unknown email costs as long as a wrong password. */
let dummyHash: Promise<string> | null = null;

/**
 * Checks an email and password. After `maxFailures` wrong passwords in a row the account is
 * locked for `lockMinutes` (its password is then not even checked). Every attempt is audited.
 */
export async function signIn(
  db: Kysely<DeskDatabase>,
  email: string,
  password: string,
  policy: SignInPolicy,
  now = new Date(),
): Promise<SignInResult> {
  const person = await db.selectFrom("people").selectAll().where("email", "=", email).executeTakeFirst();
  const generic = "the email or the password is wrong";
  if (!person) {
    dummyHash ??= hashPassword("not a password of anyone", policy.cost);
    await verifyPassword(password, await dummyHash);
    await deskAudit(db, "anonymous", "sign-in.failed", { email, why: "unknown email" });
    return { ok: false, reason: generic, locked: false };
  }
  if (person.locked_until !== null && new Date(person.locked_until) > now) {
    await deskAudit(db, `person:${person.id}`, "sign-in.refused", { email, why: "locked" });
    return {
      ok: false,
      locked: true,
      reason: `too many wrong passwords: this account is locked until ${new Date(person.locked_until).toISOString().slice(11, 16)} UTC; a DCC admin can unlock it sooner`,
    };
  }
  const good = await verifyPassword(password, person.password_hash);
  if (!good) {
    const failures = person.failed_attempts + 1;
    const lock = failures >= policy.maxFailures;
    await db
      .updateTable("people")
      .set({
        failed_attempts: lock ? 0 : failures,
        locked_until: lock
          ? new Date(now.getTime() + policy.lockMinutes * 60_000).toISOString()
          : person.locked_until === null
            ? null
            : new Date(person.locked_until).toISOString(),
      })
      .where("id", "=", person.id)
      .execute();
    await deskAudit(db, `person:${person.id}`, lock ? "account.locked" : "sign-in.failed", { email, failures });
    return lock
      ? {
          ok: false,
          locked: true,
          reason: `${policy.maxFailures} wrong passwords in a row: this account is locked for ${policy.lockMinutes} minutes`,
        }
      : { ok: false, locked: false, reason: generic };
  }
  if (!person.active) {
    await deskAudit(db, `person:${person.id}`, "sign-in.refused", { email, why: "deactivated" });
    return { ok: false, locked: false, reason: "this account is deactivated; ask a DCC admin" };
  }
  await db
    .updateTable("people")
    .set({ failed_attempts: 0, locked_until: null, last_sign_in_at: now.toISOString() })
    .where("id", "=", person.id)
    .execute();
  const session = await openSession(db, person.id, policy, now);
  await deskAudit(db, `person:${person.id}`, "sign-in.ok", { email });
  return { ok: true, personId: person.id, ...session };
}

export async function openSession(
  db: Kysely<DeskDatabase>,
  personId: string,
  policy: SignInPolicy,
  now = new Date(),
): Promise<{ sessionToken: string; csrfToken: string }> {
  const sessionToken = newSecret();
  const csrfToken = newSecret();
  await db
    .insertInto("desk_sessions")
    .values({
      token_hash: sha256(sessionToken),
      person_id: personId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + policy.sessionHours * 3_600_000).toISOString(),
    })
    .execute();
  return { sessionToken, csrfToken };
}

export interface SessionPerson {
  personId: string;
  name: string;
  email: string;
  role: PersonRole;
  partyId: string | null;
  partyName: string | null;
  csrfToken: string;
  tokenHash: string;
}

/** The person behind a session cookie, or null when it is unknown, expired, idle too long, or its person is deactivated. */
export async function sessionPerson(
  db: Kysely<DeskDatabase>,
  sessionToken: string,
  policy: SignInPolicy,
  now = new Date(),
): Promise<SessionPerson | null> {
  const tokenHash = sha256(sessionToken);
  const row = await db
    .selectFrom("desk_sessions")
    .innerJoin("people", "people.id", "desk_sessions.person_id")
    .leftJoin("parties", "parties.id", "people.party_id")
    .select([
      "desk_sessions.csrf_token",
      "desk_sessions.expires_at",
      "desk_sessions.last_seen_at",
      "people.id",
      "people.name",
      "people.email",
      "people.role",
      "people.party_id",
      "people.active",
      "parties.name as party_name",
    ])
    .where("desk_sessions.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  const idleSince = now.getTime() - policy.idleMinutes * 60_000;
  if (!row.active || new Date(row.expires_at) <= now || new Date(row.last_seen_at).getTime() <= idleSince) {
    await db.deleteFrom("desk_sessions").where("token_hash", "=", tokenHash).execute();
    return null;
  }
  // Refreshing the idle clock at most once a minute keeps reads from writing on every request.
  if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000)
    await db
      .updateTable("desk_sessions")
      .set({ last_seen_at: now.toISOString() })
      .where("token_hash", "=", tokenHash)
      .execute();
  return {
    personId: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    partyId: row.party_id,
    partyName: row.party_name,
    csrfToken: row.csrf_token,
    tokenHash,
  };
}

export async function closeSession(db: Kysely<DeskDatabase>, tokenHash: string): Promise<void> {
  await db.deleteFrom("desk_sessions").where("token_hash", "=", tokenHash).execute();
}

// ------------------------------------------------------------ people
/**
 * A person changes their own password: the current one is checked (a wrong one counts toward the
 * lockout like a failed sign-in), and every other session of theirs ends.
 */
export async function changeOwnPassword(
  db: Kysely<DeskDatabase>,
  personId: string,
  keepSessionHash: string,
  current: string,
  next: string,
  policy: SignInPolicy,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const person = await db
    .selectFrom("people")
    .select(["password_hash", "failed_attempts"])
    .where("id", "=", personId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(current, person.password_hash))) {
    const failures = person.failed_attempts + 1;
    const lock = failures >= policy.maxFailures;
    await db
      .updateTable("people")
      .set({
        failed_attempts: lock ? 0 : failures,
        ...(lock ? { locked_until: new Date(now.getTime() + policy.lockMinutes * 60_000).toISOString() } : {}),
      })
      .where("id", "=", personId)
      .execute();
    if (lock) await db.deleteFrom("desk_sessions").where("person_id", "=", personId).execute();
    await deskAudit(db, `person:${personId}`, lock ? "account.locked" : "password.change-refused", { failures });
    return {
      ok: false,
      reason: lock
        ? `${policy.maxFailures} wrong passwords in a row: this account is locked for ${policy.lockMinutes} minutes`
        : "the current password is wrong",
    };
  }
  const hash = await hashPassword(next, policy.cost);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("people")
      .set({ password_hash: hash, failed_attempts: 0 })
      .where("id", "=", personId)
      .execute();
    await trx
      .deleteFrom("desk_sessions")
      .where("person_id", "=", personId)
      .where("token_hash", "!=", keepSessionHash)
      .execute();
    await deskAudit(trx, `person:${personId}`, "password.changed", {});
  });
  return { ok: true };
}

export interface NewPerson {
  name: string;
  email: string;
  role: PersonRole;
  partyId: string | null;
  password: string;
}

export async function createPerson(db: Kysely<DeskDatabase>, p: NewPerson, cost: ScryptCost): Promise<string> {
  const id = `P-${randomUUID().slice(0, 8).toUpperCase()}`;
  await db
    .insertInto("people")
    .values({
      id,
      email: p.email,
      name: p.name,
      role: p.role,
      party_id: p.partyId,
      password_hash: await hashPassword(p.password, cost),
    })
    .execute();
  return id;
}

// ------------------------------------------------------------ first admin
/**
 * A one-time link that creates the first DCC admin: refused once an admin exists. Valid for
 * `hours`; only its SHA-256 is stored.
 */
export async function issueSetupLink(
  db: Kysely<DeskDatabase>,
  hours = 24,
  now = new Date(),
): Promise<{ ok: true; token: string; expiresAt: string } | { ok: false; reason: string }> {
  const admin = await db.selectFrom("people").select("id").where("role", "=", "dcc-admin").limit(1).executeTakeFirst();
  if (admin) return { ok: false, reason: "a DCC admin already exists: admins add people at the desk (People page)" };
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
  await db
    .insertInto("desk_setup_links")
    .values({ token_hash: sha256(token), expires_at: expiresAt, created_at: now.toISOString() })
    .execute();
  await deskAudit(db, "setup-command", "setup.link-issued", { expiresAt });
  return { ok: true, token, expiresAt };
}

/** Uses a setup link once: creates the first admin. */
export async function completeSetup(
  db: Kysely<DeskDatabase>,
  token: string,
  p: { name: string; email: string; password: string },
  cost: ScryptCost,
  now = new Date(),
): Promise<{ ok: true; personId: string } | { ok: false; reason: string }> {
  const hash = await hashPassword(p.password, cost);
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom("desk_setup_links")
      .selectAll()
      .where("token_hash", "=", sha256(token))
      .forUpdate()
      .executeTakeFirst();
    if (!link)
      return { ok: false as const, reason: "this setup link is not known; run the setup command again for a new one" };
    if (link.used_at !== null)
      return { ok: false as const, reason: "this setup link was already used; sign in instead" };
    if (new Date(link.expires_at) <= now)
      return { ok: false as const, reason: "this setup link has expired; run the setup command again" };
    const admin = await trx
      .selectFrom("people")
      .select("id")
      .where("role", "=", "dcc-admin")
      .limit(1)
      .executeTakeFirst();
    if (admin) return { ok: false as const, reason: "a DCC admin already exists; sign in instead" };
    const clash = await trx.selectFrom("people").select("id").where("email", "=", p.email).executeTakeFirst();
    if (clash) return { ok: false as const, reason: `${p.email} already has an account` };
    const id = `P-${randomUUID().slice(0, 8).toUpperCase()}`;
    await trx
      .insertInto("people")
      .values({
        id,
        email: p.email,
        name: p.name,
        role: "dcc-admin",
        party_id: null,
        password_hash: hash,
        last_sign_in_at: now.toISOString(),
      })
      .execute();
    await trx
      .updateTable("desk_setup_links")
      .set({ used_at: now.toISOString() })
      .where("token_hash", "=", link.token_hash)
      .execute();
    await deskAudit(trx, `person:${id}`, "setup.completed", { email: p.email });
    return { ok: true as const, personId: id };
  });
}
