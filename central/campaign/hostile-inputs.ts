import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import { deskDb } from "../desk/schema";
import { DEFAULT_LOCKOUT, NO_ATTEMPTS, type LockoutPolicy, type PinAttempts } from "../../shared/domain/operator-pin";
import { checkSignIn, decideSignIn } from "../../shared/domain/session-decision";
import type { SyncOperator } from "../../shared/sync";

/**
 * The hostile-input campaign's tools (issue 21, "new inputs"), kept free of vitest so the
 * central tsconfig checks them: a fingerprint of every table (nothing stored), the plain-words
 * check on a refusal, the figures table, hostile files, and the dock's PIN brute force.
 */

// ------------------------------------------------------------ nothing stored
/** Tables whose changes are counted apart: the desk's audit is expected to grow (it records refused attempts). */
const AUDIT_TABLE = "desk_audit";

/** Row count and an md5 of the rows, per table (desk_audit aside; desk_sessions without its idle clock). */
export async function fingerprint(db: Kysely<Database>): Promise<Map<string, string>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const out = new Map<string, string>();
  for (const { table_name: name } of tables.rows) {
    if (name === AUDIT_TABLE) continue;
    const q =
      name === "desk_sessions"
        ? sql<{ n: number; h: string }>`select count(*)::int as n,
            md5(coalesce(string_agg(token_hash || csrf_token, '|' order by token_hash), '')) as h from desk_sessions`
        : sql<{ n: number; h: string }>`select count(*)::int as n,
            md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${sql.table(name)} t`;
    const r = (await q.execute(db)).rows[0];
    out.set(name, `${r?.n ?? 0}:${r?.h ?? ""}`);
  }
  return out;
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

/** Audit rows with this action (optionally mentioning `about` in their detail). */
export async function auditCount(db: Kysely<Database>, actions: readonly string[], about?: string): Promise<number> {
  let q = deskDb(db)
    .selectFrom("desk_audit")
    .select((e) => e.fn.countAll<number>().as("n"))
    .where("action", "in", [...actions]);
  if (about !== undefined) q = q.where(sql<string>`detail::text`, "like", `%${about}%`);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ------------------------------------------------------------ refused in plain words
const LEAKS: Array<[RegExp, string]> = [
  [/\n\s+at\s|\bat\s+[\w.<>$]+\s+\([^)]*:\d+:\d+\)/, "a stack trace"],
  [
    /(?:[A-Za-z]:)?(?:[\\/][\w.@-]+){2,}\.(?:ts|js|mjs|cjs|json)\b|node_modules|file:\/\/|\/tmp\/|\/work\//,
    "a file path",
  ],
  [
    /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|ECONNRESET|ENOENT|EPIPE|ERR_[A-Z_]+)\b/,
    "an internal error name",
  ],
  [/\b(?:kysely|pglite|pg_|sqlstate|relation ")|violates .* constraint|duplicate key/i, "database internals"],
];

/** The problem with a refusal's body, or null when it names its reason in plain words and leaks nothing. */
export function notPlain(text: string): string | null {
  for (const [re, what] of LEAKS) if (re.test(text)) return `the body shows ${what}: ${text.slice(0, 200)}`;
  let reason: unknown;
  try {
    const j = JSON.parse(text) as { reason?: unknown; problems?: Array<{ reason?: unknown }> };
    reason = j.reason ?? j.problems?.[0]?.reason;
  } catch {
    return `the body is not JSON: ${text.slice(0, 120)}`;
  }
  if (typeof reason !== "string") return `no reason in ${text.slice(0, 200)}`;
  if (reason.trim().split(/\s+/).length < 3) return `the reason is not a sentence: ${JSON.stringify(reason)}`;
  return null;
}

/** The reason of a refusal's JSON body (or its first problem's). */
export function reasonOf(text: string): string {
  try {
    const j = JSON.parse(text) as { reason?: unknown; problems?: Array<{ reason?: unknown; line?: unknown }> };
    const first = j.problems?.[0];
    const r = typeof j.reason === "string" ? j.reason : "";
    const p = typeof first?.reason === "string" ? `line ${String(first.line)}: ${first.reason}` : "";
    return [r, p].filter((x) => x !== "").join(" / ");
  } catch {
    return text.slice(0, 120);
  }
}

// ------------------------------------------------------------ the figures
export interface CampaignRow {
  row: string;
  attempts: number;
  refused: number;
  stored: number;
  reason: string;
}

/**
 * One markdown table of the rows (the reason sample clipped, pipes escaped). With a second run's
 * rows (the other database), a count that differs shows both: `PGlite / PostgreSQL`.
 */
export function figuresTable(rows: readonly CampaignRow[], other: readonly CampaignRow[] = []): string {
  const clip = (s: string) => (s.length > 260 ? `${s.slice(0, 257)}…` : s).replace(/\|/g, "\\|").replace(/\n/g, " ");
  const both = (a: number, b: number | undefined) => (b === undefined || b === a ? String(a) : `${a} / ${b}`);
  const lines = [
    "| row | attempts | refused | stored | reason sample |",
    "|---|---|---|---|---|",
    ...rows.map((r) => {
      const o = other.find((x) => x.row === r.row);
      return `| ${r.row} | ${both(r.attempts, o?.attempts)} | ${both(r.refused, o?.refused)} | ${both(r.stored, o?.stored)} | ${clip(r.reason)} |`;
    }),
  ];
  return lines.join("\n");
}

// ------------------------------------------------------------ hostile files

/** Cells an attacker hopes a spreadsheet runs: DDE, arithmetic and function prefixes. */
export const FORMULA_CELLS = [
  "=cmd|' /C calc'!A0",
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+9)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=1+1",
] as const;

/** Whether a cell of an exported CSV could run in a spreadsheet (it begins with a formula character). */
export const RUNNABLE_CELL = /^[=+\-@\t\r]/;

// ------------------------------------------------------------ PIN brute force at the dock
export interface PinBruteForce {
  /** Guesses the dock let the attacker check. */
  checked: number;
  /** Guesses the dock refused unchecked (locked). */
  refusedLocked: number;
  checkedInFirstHour: number;
  checkedInFirstDay: number;
  /** When the secret PIN was found (ms from the start), or null. */
  foundAtMs: number | null;
  /** How long the whole run took on the simulated clock. */
  elapsedMs: number;
  lockouts: number;
}

/**
 * An attacker at one dock types `guesses` PINs for one operator, one every `everyMs` (a fast
 * typist), going through the dock's own sign-in decisions (shared/domain/session-decision.ts):
 * `checkSignIn` before each guess, `decideSignIn` after, as the sign-in screen does around the KDF
 * (whose only part here is whether the guess is the PIN). The clock is simulated; a guess refused
 * by the lock costs its `everyMs` like any other.
 */
export function bruteForcePins(o: {
  guesses: readonly string[];
  secret: string;
  everyMs: number;
  policy?: LockoutPolicy;
}): PinBruteForce {
  const policy = o.policy ?? DEFAULT_LOCKOUT;
  let attempts: PinAttempts = NO_ATTEMPTS;
  let now = 0;
  const r: PinBruteForce = {
    checked: 0,
    refusedLocked: 0,
    checkedInFirstHour: 0,
    checkedInFirstDay: 0,
    foundAtMs: null,
    elapsedMs: 0,
    lockouts: 0,
  };
  let i = 0;
  const operator: SyncOperator = {
    operatorId: "OP-TARGET",
    name: "Target",
    facilityId: "FAC-1",
    roles: ["receiver"],
    active: true,
    pinHash: { alg: "pbkdf2-sha256", iterations: 600_000, salt: "A".repeat(22) + "==", hash: "A".repeat(43) + "=" },
  };
  const stamp = { dockId: "DOCK-1", now: new Date(0), clockOffsetMs: null };
  while (i < o.guesses.length) {
    const gate = checkSignIn(
      { known: [operator], operatorsSyncedAt: 0, attempts, now },
      operator.operatorId,
      undefined,
    );
    if (!gate.ok) {
      if (gate.refusal !== "locked-out") throw new Error(`sign-in refused for another reason: ${gate.message}`);
      // Typing on while locked: each of those guesses is refused unchecked (counted in bulk up to the unlock).
      const until = attempts.lockedUntil ?? now + o.everyMs;
      const n = Math.max(1, Math.ceil((until - now) / o.everyMs));
      r.refusedLocked += n;
      now += n * o.everyMs;
      continue;
    }
    const guess = o.guesses[i] ?? "";
    const correct = guess === o.secret;
    r.checked += 1;
    if (now < 3_600_000) r.checkedInFirstHour += 1;
    if (now < 86_400_000) r.checkedInFirstDay += 1;
    const next = decideSignIn(gate, correct, { attempts, now }, stamp, policy).attempts;
    if (next.lockouts > attempts.lockouts) r.lockouts += 1;
    attempts = next;
    i += 1;
    if (correct && r.foundAtMs === null) r.foundAtMs = now;
    now += o.everyMs;
  }
  r.elapsedMs = now;
  return r;
}
