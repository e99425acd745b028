import type { StateCreator } from "zustand";
import { parseScan } from "../../../shared/domain/scan-parser";
import { signedOutAnswer } from "../../../shared/domain/scan-words";
import { checkSignIn, decideSignIn, decideSignOut } from "../../../shared/domain/session-decision";
import { NO_ATTEMPTS, verifyPin } from "../../../shared/domain/operator-pin";
import { DockLog } from "../db/dock-log";
import { deleteMeta, metaKey, OPERATORS_SYNCED_AT, pinAttemptsKey, readMeta, writeMeta } from "../db/dock-meta";
import { knownOperators } from "../db/dock-records";
import type { DockDeps } from "../store/dock-deps";
import type { All, Operator, SessionSlice } from "../store/slice-types";

/** Who is signed in, restored after a reload. */
const OPERATOR_KEY = metaKey<Operator>("session.operator");

/**
 * Operator sign-in by ID and PIN, offline, against the operators pulled from central (decided in
 * shared/domain/session-decision.ts); the sign-in is itself an event. Wrong PINs are counted per
 * ID in Dexie, so a reload does not reset a lockout; the count belongs to one PIN hash (its salt),
 * so a PIN reset at the desk starts it afresh once this dock has pulled the new hash.
 */
export const createSessionSlice =
  (deps: DockDeps): StateCreator<All, [], [], SessionSlice> =>
  (set, get) => {
    const log = new DockLog(deps);
    return {
      operator: null,
      sessionError: null,
      signingIn: false,
      signInDirectory: null,
      signInId: "",
      setSignInId(id) {
        set({ signInId: id });
      },
      badgeScans: 0,
      scanBadge(operatorId) {
        set({ signInId: operatorId, badgeScans: get().badgeScans + 1, sessionError: null, scanAnswer: null });
      },
      async loadSignInDirectory() {
        const [known, syncedAt] = await Promise.all([knownOperators(deps.db), readMeta(deps.db, OPERATORS_SYNCED_AT)]);
        set({
          signInDirectory: {
            synced: syncedAt !== undefined,
            operators: known.filter((o) => o.active).map((o) => ({ operatorId: o.operatorId, roles: o.roles })),
          },
        });
      },
      async signIn(operatorId, pin, role) {
        if (get().signingIn) return "refused";
        // A wedge scanner types into the focused Operator ID field and presses Enter: a hub or
        // carton label is not an operator ID (a badge is), so say what was scanned and what to do.
        const scanned = parseScan(operatorId.trim());
        if (scanned.kind !== "unreadable" && scanned.kind !== "carton-number") {
          set({ sessionError: `${signedOutAnswer(scanned)} Type your operator ID or scan your badge.` });
          return "refused";
        }
        const id = operatorId.trim();
        if (pin === "") {
          set({ sessionError: null });
          return "need-pin";
        }
        const [known, syncedAt, stored] = await Promise.all([
          knownOperators(deps.db),
          readMeta(deps.db, OPERATORS_SYNCED_AT),
          readMeta(deps.db, pinAttemptsKey(id)),
        ]);
        const current = known.find((o) => o.operatorId === id)?.pinHash?.salt;
        const attempts = stored !== undefined && stored.salt === current ? stored : NO_ATTEMPTS;
        const now = deps.now();
        const facts = { known, operatorsSyncedAt: syncedAt ?? null, attempts, now };
        const check = checkSignIn(facts, id, role);
        if (!check.ok) {
          set({ sessionError: check.message });
          return "refused";
        }
        set({ signingIn: true, sessionError: null });
        try {
          const matches = await verifyPin(pin, check.pinHash);
          const decision = decideSignIn(check, matches, facts, log.dockStamp());
          // Kept before the answer shows: a reload between two guesses does not forget one.
          await writeMeta(deps.db, pinAttemptsKey(id), { ...decision.attempts, salt: check.pinHash.salt });
          const result = decision.result;
          if (!result.ok) {
            set({ sessionError: result.message });
            return "refused";
          }
          await log.record(result.events);
          await writeMeta(deps.db, OPERATOR_KEY, result.operator);
          set({ operator: result.operator, sessionError: null, scanAnswer: null, signInId: "" });
          return "signed-in";
        } finally {
          set({ signingIn: false });
        }
      },
      async signOut() {
        const op = get().operator;
        if (op === null) return;
        get().leaveReceipt();
        const decision = decideSignOut(op, log.dockStamp());
        await log.record(decision.events);
        await deleteMeta(deps.db, OPERATOR_KEY);
        set({ operator: null });
        await get().loadSignInDirectory();
      },
      async restoreSession() {
        const v = await readMeta(deps.db, OPERATOR_KEY);
        if (v && typeof v.operatorId === "string") set({ operator: v });
        else await get().loadSignInDirectory();
      },
    };
  };
