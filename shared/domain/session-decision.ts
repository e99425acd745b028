import { makeEvent, type DockEvent, type OperatorRole } from "../events";
import type { SyncOperator } from "../sync";
import type { Stamp } from "./receipt-decision";

/**
 * The session aggregate's decisions: who is signed in at this dock. Sign-in is checked against
 * the operators last synced from central, so it works offline; a dock that never synced lets
 * anyone sign in (central still refuses unknown operators' events). Sign-in and sign-out are
 * events, so central knows who did what.
 */

export interface SessionOperator {
  operatorId: string;
  name: string;
  role: OperatorRole;
}

export interface SessionState {
  operator: SessionOperator | null;
  /** The operators synced from central; empty or absent when the dock never synced. */
  known: readonly SyncOperator[] | undefined;
}

export type SessionCommand =
  { type: "sign-in"; operatorId: string; name: string; role: OperatorRole } | { type: "sign-out" };

/** Why a sign-in is refused, as a fact the screen words. */
export type SignInRefusal = "bad-operator-id" | "no-name" | "not-registered" | "wrong-role";

export type SessionDecision =
  | { ok: true; events: DockEvent[]; operator: SessionOperator | null }
  | { ok: false; refusal: SignInRefusal; message: string };

/** Decide one session command; `stamp` without an operator (the event's operator is the one signing in or out). */
export function decideSession(
  state: SessionState,
  command: SessionCommand,
  stamp: Omit<Stamp, "operatorId">,
): SessionDecision {
  if (command.type === "sign-out") {
    const op = state.operator;
    if (op === null) return { ok: true, events: [], operator: null };
    return {
      ok: true,
      events: [makeEvent("operator.signed-out", {}, { ...stamp, operatorId: op.operatorId })],
      operator: null,
    };
  }
  const id = command.operatorId.trim();
  const who = command.name.trim();
  const role = command.role;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
    return {
      ok: false,
      refusal: "bad-operator-id",
      message: "Operator ID is 1-64 letters, digits, dot, dash or underscore.",
    };
  if (who === "") return { ok: false, refusal: "no-name", message: "Enter your name." };
  const known = state.known;
  if (known !== undefined && known.length > 0) {
    const op = known.find((o) => o.operatorId === id);
    if (op === undefined || !op.active)
      return {
        ok: false,
        refusal: "not-registered",
        message: `Operator ${id} is not registered (or not active) at this facility.`,
      };
    if (!op.roles.includes(role))
      return {
        ok: false,
        refusal: "wrong-role",
        message: `Operator ${id} has role ${op.roles.join(", ")}, not ${role}.`,
      };
  }
  const event = makeEvent("operator.signed-in", { role, operatorName: who }, { ...stamp, operatorId: id });
  return { ok: true, events: [event], operator: { operatorId: id, name: who, role } };
}
