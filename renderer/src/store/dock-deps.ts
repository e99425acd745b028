import type { DockSite, PackingLimits } from "../../../shared/domain/booking";
import type { VerdictClass } from "../../../shared/domain/reconcile";
import type { DockDb } from "../db/dock-db";
import type { AsnNumberSource } from "../sync/asn-block";
import type { UnsentWatchStore } from "../shell/unsent-watch-store";

/** How a verdict is made felt: full-screen colour is React's job, sound is this. */
export interface VerdictSignal {
  signal(cls: VerdictClass): void;
}

/** What the store's actions need from the world; tests pass fakes (fake-indexeddb, a fixed clock). */
export interface DockDeps {
  db: DockDb;
  dockId: string;
  site: DockSite;
  limits: PackingLimits;
  now: () => number;
  sound: VerdictSignal;
  /** The last measured server-minus-device clock offset, stamped on every event. */
  clockOffsetMs: () => number | null;
  /** Called after events are durably recorded, with how many when known (else at least one): the sync client pushes soon. */
  onRecorded: (events?: number) => void;
  /**
   * POSTs a question to central with the dock's token and returns its JSON answer (throws when
   * central is unreachable or answers an error). Absent where there is no central (demo, tests).
   */
  askCentral?: (path: string, body: unknown) => Promise<unknown>;
  /** ASN numbers from the block central reserved for this dock (issue 17); without it no ASN can be issued. */
  asnNumbers?: AsnNumberSource;
  /** How long the oldest unsent event may stay the same before the alarm shows (default: 10 minutes). */
  unsentAlarmMs?: number;
  /** Keeps the alarm's watch on the oldest unsent event across reloads (main.tsx: localStorage); in memory only without it. */
  unsentWatchStore?: UnsentWatchStore;
}
