import type { StateCreator } from "zustand";
import { decideSession } from "../../../shared/domain/session-decision";
import type { SyncOperator } from "../../../shared/sync";
import { DockLog } from "../db/dock-log";
import { OPERATORS_KEY } from "../sync/sync-client";
import type { DockDeps } from "./dock-deps";
import type { All, Operator, SessionSlice } from "./slice-types";

const OPERATOR_KEY = "session.operator";

/** Operator sign-in with role (decided in shared/domain/session-decision.ts); the sign-in is itself an event. */
export const createSessionSlice =
  (deps: DockDeps): StateCreator<All, [], [], SessionSlice> =>
  (set, get) => {
    const log = new DockLog(deps);
    return {
      operator: null,
      sessionError: null,
      async signIn(operatorId, name, role) {
        const known = (await deps.db.meta.get(OPERATORS_KEY))?.value as SyncOperator[] | undefined;
        const decision = decideSession({ operator: get().operator, known }, { type: "sign-in", operatorId, name, role }, log.dockStamp());
        if (!decision.ok) return set({ sessionError: decision.message });
        await log.record(decision.events);
        const operator = decision.operator as Operator;
        await deps.db.meta.put({ key: OPERATOR_KEY, value: operator });
        set({ operator, sessionError: null });
      },
      async signOut() {
        const op = get().operator;
        if (op === null) return;
        get().leaveReceipt();
        const decision = decideSession({ operator: op, known: undefined }, { type: "sign-out" }, log.dockStamp());
        if (!decision.ok) return;
        await log.record(decision.events);
        await deps.db.meta.delete(OPERATOR_KEY);
        set({ operator: null });
      },
      async restoreSession() {
        const row = await deps.db.meta.get(OPERATOR_KEY);
        const v = row?.value as Operator | undefined;
        if (v && typeof v.operatorId === "string") set({ operator: v });
      },
    };
  };
