import type { StateCreator } from "zustand";
import { parseScan } from "../../../shared/domain/scan-parser";
import { signedOutAnswer } from "../../../shared/domain/scan-words";
import { decideSession } from "../../../shared/domain/session-decision";
import { DockLog } from "../db/dock-log";
import { deleteMeta, metaKey, readMeta, writeMeta } from "../db/dock-meta";
import { knownOperators } from "../db/dock-records";
import type { DockDeps } from "../store/dock-deps";
import type { All, Operator, SessionSlice } from "../store/slice-types";

/** Who is signed in, restored after a reload. */
const OPERATOR_KEY = metaKey<Operator>("session.operator");

/** Operator sign-in with role (decided in shared/domain/session-decision.ts); the sign-in is itself an event. */
export const createSessionSlice =
  (deps: DockDeps): StateCreator<All, [], [], SessionSlice> =>
  (set, get) => {
    const log = new DockLog(deps);
    return {
      operator: null,
      sessionError: null,
      async signIn(operatorId, name, role) {
        // A wedge scanner types into the focused Operator ID field and presses Enter: a barcode
        // is not an operator ID, so say what was scanned and what to do.
        const scanned = parseScan(operatorId.trim());
        if (scanned.kind !== "unreadable" && scanned.kind !== "carton-number")
          return set({ sessionError: `${signedOutAnswer(scanned)} Type your operator ID.` });
        const known = await knownOperators(deps.db);
        const decision = decideSession(
          { operator: get().operator, known },
          { type: "sign-in", operatorId, name, role },
          log.dockStamp(),
        );
        if (!decision.ok) return set({ sessionError: decision.message });
        await log.record(decision.events);
        const operator = decision.operator as Operator;
        await writeMeta(deps.db, OPERATOR_KEY, operator);
        set({ operator, sessionError: null, scanAnswer: null });
      },
      async signOut() {
        const op = get().operator;
        if (op === null) return;
        get().leaveReceipt();
        const decision = decideSession({ operator: op, known: undefined }, { type: "sign-out" }, log.dockStamp());
        if (!decision.ok) return;
        await log.record(decision.events);
        await deleteMeta(deps.db, OPERATOR_KEY);
        set({ operator: null });
      },
      async restoreSession() {
        const v = await readMeta(deps.db, OPERATOR_KEY);
        if (v && typeof v.operatorId === "string") set({ operator: v });
      },
    };
  };
