import type { StateCreator } from "zustand";
import { makeEvent } from "../../../shared/events";
import type { SyncOperator } from "../../../shared/sync";
import { recordEvent } from "../db/record-event";
import { OPERATORS_KEY } from "../sync/sync-client";
import type { DockDeps } from "./dock-deps";
import type { All, Operator, SessionSlice } from "./slice-types";



const OPERATOR_KEY = "session.operator";

/** Operator sign-in with role; the sign-in is itself an event, so central knows who did what. */
export const createSessionSlice =
  (deps: DockDeps): StateCreator<All, [], [], SessionSlice> =>
  (set, get) => ({
    operator: null,
    sessionError: null,
    async signIn(operatorId, name, role) {
      const id = operatorId.trim();
      const who = name.trim();
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) return set({ sessionError: "Operator ID is 1-64 letters, digits, dot, dash or underscore." });
      if (who === "") return set({ sessionError: "Enter your name." });
      // Checked against the operators last synced from central, so it works offline; a dock
      // that never synced lets anyone sign in (central still refuses unknown operators' events).
      const known = (await deps.db.meta.get(OPERATORS_KEY))?.value as SyncOperator[] | undefined;
      if (known !== undefined && known.length > 0) {
        const op = known.find((o) => o.operatorId === id);
        if (op === undefined || !op.active) return set({ sessionError: `Operator ${id} is not registered (or not active) at this facility.` });
        if (!op.roles.includes(role)) return set({ sessionError: `Operator ${id} has role ${op.roles.join(", ")}, not ${role}.` });
      }
      const event = makeEvent("operator.signed-in", { role, operatorName: who }, { dockId: deps.dockId, operatorId: id, now: new Date(deps.now()), clockOffsetMs: deps.clockOffsetMs() });
      await recordEvent(deps.db, event);
      const operator: Operator = { operatorId: id, name: who, role };
      await deps.db.meta.put({ key: OPERATOR_KEY, value: operator });
      set({ operator, sessionError: null });
      deps.onRecorded();
    },
    async signOut() {
      const op = get().operator;
      if (op === null) return;
      get().leaveReceipt();
      await recordEvent(deps.db, makeEvent("operator.signed-out", {}, { dockId: deps.dockId, operatorId: op.operatorId, now: new Date(deps.now()), clockOffsetMs: deps.clockOffsetMs() }));
      await deps.db.meta.delete(OPERATOR_KEY);
      set({ operator: null });
      deps.onRecorded();
    },
    async restoreSession() {
      const row = await deps.db.meta.get(OPERATOR_KEY);
      const v = row?.value as Operator | undefined;
      if (v && typeof v.operatorId === "string") set({ operator: v });
    },
  });
