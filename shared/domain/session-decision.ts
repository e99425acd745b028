import { makeEvent, type DockEvent, type OperatorRole } from "../events";
import type { SyncOperator } from "../sync";
import type { Stamp } from "./receipt-decision";
import { afterPinAttempt, mayTryPin, type LockoutPolicy, type PinAttempts, type PinHash } from "./operator-pin";

/**
 * The session aggregate's decisions: who is signed in at this dock. An operator gives their ID
 * (typed or badge scanned) and PIN; both are checked against the operators last synced from
 * central (so sign-in works offline), and the role comes from central's record, never from the
 * operator. A dock that never synced refuses everyone and says why. Sign-in and sign-out are
 * events, so central knows who did what.
 *
 * Sign-in has two steps around the one slow, impure part (the PIN's KDF): `checkSignIn` decides
 * whether a PIN may be tried at all and against which hash; `decideSignIn` takes whether it
 * matched and gives the events and the attempts to keep (wrong PINs lock the ID out, see
 * operator-pin.ts).
 */

export interface SessionOperator {
  operatorId: string;
  name: string;
  role: OperatorRole;
}

/** Why a sign-in is refused, as a fact the screen words. */
export type SignInRefusal =
  "bad-operator-id" | "never-synced" | "locked-out" | "not-registered" | "no-pin" | "wrong-role" | "wrong-pin";

export type SignInRefused = { ok: false; refusal: SignInRefusal; message: string };

/** What the dock knows when someone tries to sign in. */
export interface SignInFacts {
  /** The operators synced from central. */
  known: readonly SyncOperator[];
  /** When the dock first applied a pull from central (epoch ms), null while it never has. */
  operatorsSyncedAt: number | null;
  /** This ID's wrong PINs so far at this dock. */
  attempts: PinAttempts;
  now: number;
}

export type SignInCheck = SignInRefused | { ok: true; operator: SyncOperator; role: OperatorRole; pinHash: PinHash };

/** A well-formed operator ID (what an operator types or their badge carries). */
export const OPERATOR_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Whether a PIN may be tried for `operatorId` in `role` (or the operator's first role when the
 * screen offered no choice), and the hash to check it against. Refuses before any PIN is looked
 * at: malformed ID, never-synced dock, locked-out ID, unknown or deactivated operator, no PIN set,
 * a role central did not give them.
 */
export function checkSignIn(facts: SignInFacts, operatorId: string, role: OperatorRole | undefined): SignInCheck {
  const id = operatorId.trim();
  if (!OPERATOR_ID_PATTERN.test(id))
    return {
      ok: false,
      refusal: "bad-operator-id",
      message: "Operator ID is 1-64 letters, digits, dot, dash or underscore.",
    };
  const gate = mayTryPin({ operatorsSyncedAt: facts.operatorsSyncedAt, attempts: facts.attempts, now: facts.now });
  if (!gate.ok)
    return {
      ok: false,
      refusal: facts.operatorsSyncedAt === null ? "never-synced" : "locked-out",
      message: `Cannot sign in: ${gate.reason}.`,
    };
  const op = facts.known.find((o) => o.operatorId === id);
  if (op === undefined || !op.active)
    return {
      ok: false,
      refusal: "not-registered",
      message: `Operator ${id} is not registered (or not active) at this facility. Check the ID, or ask a DCC admin.`,
    };
  if (!op.pinHash)
    return {
      ok: false,
      refusal: "no-pin",
      message: `Operator ${id} has no PIN yet. A DCC admin sets it at the desk (Operators); this dock takes it at its next sync.`,
    };
  const chosen = role ?? op.roles[0];
  if (chosen === undefined || !op.roles.includes(chosen))
    return {
      ok: false,
      refusal: "wrong-role",
      message: `Operator ${id} has role ${op.roles.join(", ") || "none"}${role ? `, not ${role}` : ""}.`,
    };
  return { ok: true, operator: op, role: chosen, pinHash: op.pinHash };
}

export type SignInDecision = {
  /** What to keep for this ID (cleared by a right PIN). */
  attempts: PinAttempts;
  result: SignInRefused | { ok: true; events: DockEvent[]; operator: SessionOperator };
};

/** The outcome of a checked sign-in once the PIN has been compared with the hash. */
export function decideSignIn(
  check: Extract<SignInCheck, { ok: true }>,
  pinMatches: boolean,
  facts: Pick<SignInFacts, "attempts" | "now">,
  stamp: Omit<Stamp, "operatorId">,
  policy?: LockoutPolicy,
): SignInDecision {
  const attempts = afterPinAttempt(facts.attempts, pinMatches, facts.now, policy);
  const id = check.operator.operatorId;
  if (!pinMatches) {
    const left = (policy?.maxFailures ?? 5) - attempts.failures;
    const message =
      attempts.lockedUntil !== null
        ? `Wrong PIN. Too many wrong PINs for ${id}: locked for ${Math.ceil((attempts.lockedUntil - facts.now) / 60_000)} minutes at this dock. Wait, or ask a DCC admin to reset the PIN.`
        : `Wrong PIN for ${id}. ${left} more ${left === 1 ? "try" : "tries"} before this ID is locked at this dock.`;
    return { attempts, result: { ok: false, refusal: "wrong-pin", message } };
  }
  const operator: SessionOperator = { operatorId: id, name: check.operator.name, role: check.role };
  const event = makeEvent(
    "operator.signed-in",
    { role: check.role, operatorName: check.operator.name },
    { ...stamp, operatorId: id },
  );
  return { attempts, result: { ok: true, events: [event], operator } };
}

/** Sign-out: the event of the operator signing out (nothing when nobody is signed in). */
export function decideSignOut(
  operator: SessionOperator | null,
  stamp: Omit<Stamp, "operatorId">,
): { events: DockEvent[]; operator: null } {
  if (operator === null) return { events: [], operator: null };
  return {
    events: [makeEvent("operator.signed-out", {}, { ...stamp, operatorId: operator.operatorId })],
    operator: null,
  };
}
