import type { AsnDocument } from "../../../shared/domain/asn";
import type { Booking, DeliveryWindow } from "../../../shared/domain/booking";
import type { Statement } from "../../../shared/domain/charges";
import type { Unloader } from "../../../shared/domain/liability";
import type { AmendmentReview, HubResult, ManifestOk, ManifestPayload } from "../../../shared/domain/manifest";
import type { LoadCheck, OutboundState, OutboundVerdict } from "../../../shared/domain/outbound";
import type { SmiDispatchCheck, SmiHubCheck } from "../../../shared/domain/smi-before-dispatch";
import type { PayloadOf, ScanSource } from "../../../shared/events";

/**
 * The supervisor's part of the store, types only (slice-types.ts folds it into `All`):
 * re-delivery manifest, labels, outbound load check, ASN and notice, amendments, dispatch
 * with the outbound liability rule, and the charges view.
 */

/** An outbound verdict as the supervisor sees it (same colours and sounds as receiving). */
export interface ShownOutboundVerdict extends OutboundVerdict {
  raw: string;
  at: number;
}

/** The outbound unloading at the Party's end, as recorded. */
export interface OutboundUnloading {
  unloader: Unloader;
  startedAt: string | null;
  startedEventId: string | null;
  completedAt: string | null;
  liabilityAt: string | null;
  liabilityRule: string | null;
}

/** One booking's re-delivery, projected from the event log. */
export interface SupervisorView {
  booking: Booking;
  results: HubResult[];
  /** The latest manifest built (null before the first). */
  manifest: ManifestPayload | null;
  /** The latest manifest re-derived from today's results; null when the results changed since (rebuild). */
  built: ManifestOk | null;
  /** Every manifest id used for this booking (a rebuild never reuses one). */
  manifestIds: string[];
  /** The last build attempt that failed, with its reason. */
  buildError: string | null;
  load: OutboundState | null;
  loadCheck: LoadCheck | null;
  labelsPrinted: number;
  asn: { asnNumber: string; documentSha256: string; document: AsnDocument | null } | null;
  noticesIssued: number;
  dispatch: PayloadOf<"dispatch.recorded"> | null;
  unloading: OutboundUnloading | null;
  /** A Party's change of date, window or location since the manifest was built, not yet acknowledged. */
  amendment: AmendmentReview | null;
}

/** What central said of the manifest's SMI updates (Req 10), or why it could not be asked. */
export type SupervisorSmi =
  | { manifestId: string; checkedAt: number; hubs: SmiHubCheck[]; check: SmiDispatchCheck; problem: null }
  | { manifestId: string; checkedAt: number; hubs: null; check: null; problem: string };

export interface DispatchInput {
  unloader: Unloader;
  carrier: string | null;
  vehicleRef: string | null;
}

export interface SupervisorSlice {
  supervisor: SupervisorView | null;
  supervisorMessage: string | null;
  outboundLast: ShownOutboundVerdict | null;
  /** An outbound error stays until acknowledged (Escape); scans meanwhile wait in `outboundQueue`. */
  outboundError: ShownOutboundVerdict | null;
  outboundQueue: Array<{ raw: string; source: ScanSource }>;
  chargesStatements: Statement[];
  /** The last SMI check of the open manifest (Req 10: dispatch waits for every hub's SMI update). */
  supervisorSmi: SupervisorSmi | null;
  openSupervisor(bookingRef: string): Promise<void>;
  leaveSupervisor(): void;
  /** Re-reads the log (after sync brought an amendment, or another window recorded something). */
  refreshSupervisor(): Promise<void>;
  /** Builds (or rebuilds, with a new id) the manifest; rebuilding after an ASN needs `cancelAsn`, and records the ASN's cancellation. */
  buildRedeliveryManifest(
    delivery: { date: string; window: DeliveryWindow },
    options?: { cancelAsn?: boolean },
  ): Promise<void>;
  recordLabelsPrinted(labels: Array<PayloadOf<"label.printed">>): Promise<void>;
  submitOutboundScan(raw: string, source: ScanSource): void;
  acknowledgeOutbound(): void;
  /** Takes a unit (on the manifest or scanned on by mistake) off the vehicle, recorded as an unload. */
  takeOffLoad(sscc: string): Promise<void>;
  outboundSettled(): Promise<void>;
  issueAsn(): Promise<void>;
  issueNotice(): Promise<void>;
  /** Records amendment.acknowledged, rebuilds the manifest for the amended delivery and re-issues the notice. */
  acknowledgeRedeliveryAmendment(): Promise<void>;
  /** Asks central for the SMI update state of each hub of the open manifest. */
  checkSmiUpdates(): Promise<SupervisorSmi | null>;
  /** Refused before anything is recorded unless central confirms every hub's SMI update (Req 10). */
  recordDispatch(input: DispatchInput): Promise<void>;
  startOutboundUnloading(): Promise<void>;
  completeOutboundUnloading(): Promise<void>;
  loadCharges(period: { from: string; to: string }): Promise<void>;
}
