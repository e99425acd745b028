import type { StateCreator } from "zustand";
import { asnIssuedPayload, asnJson, asnSha256, buildAsnDocument, parseAsnJson } from "../../../shared/domain/asn";
import {
  redeliveryLocation,
  type Booking,
  type DeliveryLocation,
  type DeliveryWindow,
} from "../../../shared/domain/booking";
import { statement, type Statement } from "../../../shared/domain/charges";
import {
  buildManifest,
  nextManifestId,
  redeliveryNotice,
  reviewAmendment,
  type AmendmentReview,
  type ManifestOk,
  type ManifestPayload,
  type RedeliveryAmendment,
} from "../../../shared/domain/manifest";
import { decideOutboundScan, decideOutboundUnload, dispatchPayload, loadAgrees } from "../../../shared/domain/outbound";
import { manifestHubs } from "../../../shared/domain/manifest";
import { smiDispatchCheck, SmiStatusResponseSchema } from "../../../shared/domain/smi-before-dispatch";
import {
  liabilityTransferredPayload,
  type DockEvent,
  type DockEventType,
  type EventOf,
  type PayloadOf,
} from "../../../shared/events";
import type { DockDb } from "../db/dock-db";
import { DockLog } from "../db/dock-log";
import {
  amendmentsOf,
  asnDocument,
  firmwareCatalogue,
  manifestBasis,
  putAsnDocument,
  putManifestBasis,
} from "../db/dock-records";
import { bookingEvents } from "../db/record-event";
import { createHeldQueue } from "../scanning/held-queue";
import { siteToday } from "../../../shared/domain/site-clock";
import { SITE_CONFIG, type SupervisorSiteConfig } from "./site-config";
import {
  arrivalCartons,
  addHubOwners,
  chargeableHubs,
  chargeOutcomes,
  type HubOwner,
  eventsOfManifest,
  hubResults,
  manifestsOf,
  replayLoad,
  targetVersions,
  type SupervisorLog,
} from "./supervisor-projection";
import type { OutboundUnloading, ShownOutboundVerdict, SupervisorSmi, SupervisorView } from "./supervisor-types";
import type { DockDeps } from "../store/dock-deps";
import type { All, QueuedScan, SupervisorSlice } from "../store/slice-types";

const HUB_TYPES: DockEventType[] = ["flash.result", "fault.reported"];
const MANIFEST_TYPES: DockEventType[] = [
  "manifest.built",
  "label.printed",
  "asn.issued",
  "asn.cancelled",
  "notice.issued",
  "outbound.scan.recorded",
  "dispatch.recorded",
  "amendment.acknowledged",
  "unloading.started",
  "unloading.completed",
  "liability.transferred",
];

async function eventsOfTypes(db: DockDb, types: DockEventType[]): Promise<DockEvent[]> {
  const rows = await db.events.where("type").anyOf(types).toArray();
  return rows.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)).map((r) => r.event);
}

/** The supervisor's whole log for a booking (manifest and hub events do not carry its ref, so they are read by type). */
async function readLog(db: DockDb, bookingRef: string): Promise<SupervisorLog> {
  const [booking, hub, manifest] = await Promise.all([
    bookingEvents(db, bookingRef),
    eventsOfTypes(db, HUB_TYPES),
    eventsOfTypes(db, MANIFEST_TYPES),
  ]);
  return { bookingEvents: booking, hubEvents: hub, manifestEvents: manifest };
}

/** The site's calendar date (bookings and working hours are in the site's dates), never the PC's zone. */
export function localDate(ms: number, timeZone?: string): string {
  return siteToday(new Date(ms), timeZone);
}

/**
 * The booking's re-delivery side (Req 1, 7, 8) as the manifest was built against it: where the
 * hubs go back and when. An amendment changes these, never the inbound arrival fields.
 */
function redeliverySide(b: Booking): {
  deliveryDate: string;
  deliveryWindow: DeliveryWindow;
  deliveryLocation: DeliveryLocation;
} {
  return {
    deliveryDate: b.redelivery?.deliveryDate ?? b.deliveryDate,
    deliveryWindow: b.redelivery?.deliveryWindow ?? b.deliveryWindow,
    deliveryLocation: redeliveryLocation(b),
  };
}

function sameLocation(a: DeliveryLocation, b: DeliveryLocation): boolean {
  return a.id === b.id && a.name === b.name && a.address === b.address;
}

/** Builds the supervisor slice; `site` is the site configuration (working hours, charges, address). */
export const createSupervisorSlice =
  (deps: DockDeps, site: SupervisorSiteConfig = SITE_CONFIG): StateCreator<All, [], [], SupervisorSlice> =>
  (set, get) => {
    const log = new DockLog(deps);

    function operatorId(): string {
      const op = get().operator;
      if (op === null) throw new Error("sign in first");
      return op.operatorId;
    }

    function event<T extends DockEventType>(type: T, payload: PayloadOf<T>, atMs?: number): EventOf<T> {
      return log.event(type, payload, operatorId(), atMs === undefined ? {} : { atMs });
    }

    async function record(events: DockEvent[]): Promise<void> {
      await log.record(events);
    }

    /** Runs a supervisor action, turning any refusal or failure into the screen's message. */
    async function guarded(action: () => Promise<string | void>): Promise<void> {
      const op = get().operator;
      if (op === null || op.role !== "supervisor")
        return set({ supervisorMessage: "Only a supervisor may do this: sign in as supervisor." });
      try {
        const refusal = await action();
        if (typeof refusal === "string") set({ supervisorMessage: refusal });
      } catch (e) {
        set({ supervisorMessage: e instanceof Error ? e.message : String(e) });
      }
    }

    /** Reads the log and derives the whole view of one booking's re-delivery. */
    async function project(bookingRef: string, buildError: string | null = null): Promise<SupervisorView | null> {
      const row = await deps.db.bookings.get(bookingRef);
      if (row === undefined) return null;
      const booking = row.booking;
      const log = await readLog(deps.db, bookingRef);
      const results = hubResults(booking, log);
      const manifests = manifestsOf(bookingRef, log);
      const latest = manifests.at(-1)?.payload ?? null;
      const catalogue = await firmwareCatalogue(deps.db);
      const targets = targetVersions(log, booking, catalogue);
      const view: SupervisorView = {
        booking,
        results,
        manifest: latest,
        built: null,
        manifestIds: manifests.map((m) => m.payload.manifestId),
        buildError,
        load: null,
        loadCheck: null,
        labelsPrinted: 0,
        asn: null,
        noticesIssued: 0,
        dispatch: null,
        unloading: null,
        amendment: null,
      };
      if (latest === null) return view;
      const id = latest.manifestId;
      // Re-derive the manifest from today's results: equal means the notice and integrity flags are current.
      const again = buildManifest({
        manifestId: id,
        bookings: [booking],
        results,
        targetVersionByModel: targets,
        deliveryDate: latest.deliveryDate,
        deliveryWindow: latest.deliveryWindow,
        workingHours: site.workingHours,
        arrivedIn: arrivalCartons(log),
      });
      view.built = again.ok && JSON.stringify(again.payload) === JSON.stringify(latest) ? again : null;
      view.load = replayLoad(latest, log);
      view.loadCheck = loadAgrees(view.load);
      view.labelsPrinted = eventsOfManifest(id, log, "label.printed").length;
      view.noticesIssued = eventsOfManifest(id, log, "notice.issued").length;
      const asn = eventsOfManifest(id, log, "asn.issued").at(-1);
      if (asn !== undefined) {
        const stored = await asnDocument(deps.db, asn.payload.asnNumber);
        const doc = typeof stored === "string" ? parseAsnJson(stored) : null;
        view.asn = {
          asnNumber: asn.payload.asnNumber,
          documentSha256: asn.payload.documentSha256,
          document: doc?.ok ? doc.document : null,
        };
      }
      view.dispatch = eventsOfManifest(id, log, "dispatch.recorded").at(-1)?.payload ?? null;
      view.unloading = unloadingOf(id, log);
      view.amendment = await pendingAmendment(
        latest,
        booking.bookingRef,
        row.version,
        redeliverySide(row.booking),
        log,
      );
      return view;
    }

    function unloadingOf(manifestId: string, log: SupervisorLog): OutboundUnloading | null {
      const started = eventsOfManifest(manifestId, log, "unloading.started").find(
        (e) => e.payload.direction === "outbound",
      );
      if (started === undefined) return null;
      const completed = eventsOfManifest(manifestId, log, "unloading.completed").find(
        (e) => e.payload.direction === "outbound",
      );
      const liability = eventsOfManifest(manifestId, log, "liability.transferred").find(
        (e) => e.payload.direction === "outbound",
      );
      return {
        unloader: started.payload.unloader,
        startedAt: started.at,
        startedEventId: started.id,
        completedAt: completed?.at ?? null,
        liabilityAt: liability?.payload.transferAt ?? null,
        liabilityRule: liability?.payload.rule ?? null,
      };
    }

    /** A Party's change since the manifest was built and not yet acknowledged, reviewed against working hours. */
    async function pendingAmendment(
      manifest: ManifestPayload,
      bookingRef: string,
      version: number,
      current: { deliveryDate: string; deliveryWindow: DeliveryWindow; deliveryLocation: DeliveryLocation },
      log: SupervisorLog,
    ): Promise<AmendmentReview | null> {
      const basis = await manifestBasis(deps.db, manifest.manifestId);
      const seen = Math.max(
        basis?.bookingVersion ?? -1,
        ...log.manifestEvents
          .filter(
            (e): e is EventOf<"amendment.acknowledged"> =>
              e.type === "amendment.acknowledged" &&
              e.payload.bookingRef === bookingRef &&
              e.payload.manifestId !== null,
          )
          .map((e) => e.payload.bookingVersion),
      );
      let amendment: RedeliveryAmendment | null = null;
      const synced: RedeliveryAmendment[] = await amendmentsOf(deps.db, bookingRef);
      const fromSync = synced
        .filter((a) => a.bookingVersion > seen)
        .sort((a, b) => a.bookingVersion - b.bookingVersion)
        .at(-1);
      if (fromSync !== undefined) amendment = fromSync;
      else if (basis !== undefined && version > seen) {
        // The booking itself changed (date, window or location) since the manifest was built.
        const a: RedeliveryAmendment = { bookingRef, bookingVersion: version };
        if (current.deliveryDate !== basis.deliveryDate) a.deliveryDate = current.deliveryDate;
        if (
          current.deliveryWindow.start !== basis.deliveryWindow.start ||
          current.deliveryWindow.end !== basis.deliveryWindow.end
        )
          a.deliveryWindow = current.deliveryWindow;
        if (!sameLocation(current.deliveryLocation, basis.deliveryLocation))
          a.deliveryLocation = current.deliveryLocation;
        if (a.deliveryDate !== undefined || a.deliveryWindow !== undefined || a.deliveryLocation !== undefined)
          amendment = a;
      }
      if (amendment === null) return null;
      const review = reviewAmendment(manifest, amendment, site.workingHours, localDate(deps.now(), deps.site.timeZone));
      return review.fields.length === 0 ? null : review;
    }

    async function refresh(buildError: string | null = null): Promise<SupervisorView | null> {
      const current = get().supervisor;
      if (current === null) return null;
      const view = await project(current.booking.bookingRef, buildError);
      set({ supervisor: view });
      return view;
    }

    /** Records the manifest.built event (and what the booking looked like) for a successful build. */
    async function recordManifest(
      built: ManifestOk,
      bookingVersion: number,
      booking: { deliveryDate: string; deliveryWindow: DeliveryWindow; deliveryLocation: DeliveryLocation },
      replaces: { manifestId: string; asnNumber: string } | null,
    ): Promise<void> {
      const e = event("manifest.built", built.payload);
      // The ASN of the manifest this one replaces is withdrawn in the same write (the Party is told).
      const cancel =
        replaces === null
          ? []
          : [
              event("asn.cancelled", {
                asnNumber: replaces.asnNumber,
                manifestId: replaces.manifestId,
                replacedByManifestId: built.payload.manifestId,
                reason: `re-delivery ${replaces.manifestId} was rebuilt as ${built.payload.manifestId}`,
              }),
            ];
      await record([e, ...cancel]);
      await putManifestBasis(deps.db, {
        manifestId: built.payload.manifestId,
        bookingVersion,
        deliveryDate: booking.deliveryDate,
        deliveryWindow: booking.deliveryWindow,
        deliveryLocation: booking.deliveryLocation,
      });
    }

    async function build(
      delivery: { date: string; window: DeliveryWindow },
      view: SupervisorView,
    ): Promise<{ ok: true; built: ManifestOk } | { ok: false; reason: string }> {
      const row = await deps.db.bookings.get(view.booking.bookingRef);
      if (row === undefined) return { ok: false, reason: `booking ${view.booking.bookingRef} is no longer cached` };
      const log = await readLog(deps.db, row.bookingRef);
      const catalogue = await firmwareCatalogue(deps.db);
      const manifestId = nextManifestId(
        row.bookingRef,
        manifestsOf(row.bookingRef, log).map((m) => m.payload.manifestId),
      );
      const built = buildManifest({
        manifestId,
        bookings: [row.booking],
        results: hubResults(row.booking, log),
        targetVersionByModel: targetVersions(log, row.booking, catalogue),
        deliveryDate: delivery.date,
        deliveryWindow: delivery.window,
        workingHours: site.workingHours,
        today: localDate(deps.now(), deps.site.timeZone),
        arrivedIn: arrivalCartons(log),
      });
      if (!built.ok) return { ok: false, reason: built.message };
      const replaces =
        view.manifest !== null && view.asn !== null && view.dispatch === null
          ? { manifestId: view.manifest.manifestId, asnNumber: view.asn.asnNumber }
          : null;
      await recordManifest(built, row.version, redeliverySide(row.booking), replaces);
      return { ok: true, built };
    }

    function show(v: ShownOutboundVerdict): void {
      deps.sound.signal(v.class);
      if (v.class === "error") set({ outboundError: v, outboundLast: v });
      else set({ outboundLast: v });
    }

    async function processOutbound({ raw, source }: QueuedScan): Promise<void> {
      const view = get().supervisor;
      if (view === null || view.manifest === null || view.load === null) return;
      const decision = decideOutboundScan(view.load, { raw, source }, log.stamp(operatorId()));
      try {
        // Durable before the beep, as in receiving.
        await record(decision.events);
      } catch (e) {
        return show({
          code: "unreadable",
          class: "error",
          reason: `NOT RECORDED - scan again: ${e instanceof Error ? e.message : String(e)}`,
          sscc: null,
          raw,
          at: deps.now(),
        });
      }
      set({ supervisor: { ...view, load: decision.load, loadCheck: loadAgrees(decision.load) } });
      show({ ...decision.verdict, raw, at: deps.now() });
    }

    /** Req 10: asks central for each manifest hub's SMI update; a problem in plain words when it cannot. */
    async function askSmi(manifest: ManifestPayload): Promise<SupervisorSmi> {
      const base = { manifestId: manifest.manifestId, checkedAt: deps.now() };
      const none = (problem: string): SupervisorSmi => ({ ...base, hubs: null, check: null, problem });
      if (deps.askCentral === undefined)
        return none("This dock has no connection to central configured, so the SMI updates cannot be checked.");
      let answer: unknown;
      try {
        answer = await deps.askCentral("/sync/smi-status", { manifestId: manifest.manifestId });
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        if (status === 404)
          return none(
            `Manifest ${manifest.manifestId} has not reached central yet: wait for the dock to sync, then check again.`,
          );
        return none("Central cannot be reached, so the SMI updates cannot be checked: try again when online.");
      }
      const parsed = SmiStatusResponseSchema.safeParse(answer);
      if (!parsed.success || parsed.data.manifestId !== manifest.manifestId)
        return none("Central's answer about the SMI updates could not be read: try again, or call support.");
      const check = smiDispatchCheck(manifestHubs(manifest), parsed.data.hubs);
      return { ...base, hubs: parsed.data.hubs, check, problem: null };
    }

    const held = createHeldQueue<QueuedScan>({
      items: () => get().outboundQueue,
      setItems: (outboundQueue) => set({ outboundQueue }),
      blocked: () => get().outboundError !== null,
      process: processOutbound,
    });

    return {
      supervisor: null,
      supervisorMessage: null,
      outboundLast: null,
      outboundError: null,
      outboundQueue: [],
      chargesStatements: [],
      supervisorSmi: null,

      async openSupervisor(bookingRef) {
        const view = await project(bookingRef);
        if (view === null) return set({ supervisorMessage: `Booking ${bookingRef} is not cached at this dock.` });
        set({
          supervisor: view,
          supervisorMessage: null,
          outboundLast: null,
          outboundError: null,
          outboundQueue: [],
          supervisorSmi: null,
        });
      },
      leaveSupervisor() {
        set({
          supervisor: null,
          supervisorMessage: null,
          outboundLast: null,
          outboundError: null,
          outboundQueue: [],
          supervisorSmi: null,
        });
      },
      async refreshSupervisor() {
        await refresh(get().supervisor?.buildError ?? null);
      },
      async buildRedeliveryManifest(delivery, options) {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null) return "Open a booking first.";
          if (view.dispatch !== null) return `Manifest ${view.manifest?.manifestId ?? ""} is already dispatched.`;
          if (view.asn !== null && options?.cancelAsn !== true)
            return `Manifest ${view.manifest?.manifestId ?? ""} already has ASN ${view.asn.asnNumber}. Rebuilding cancels that ASN (the Party is told) and needs a new one: confirm to rebuild.`;
          const r = await build(delivery, view);
          await refresh(r.ok ? null : r.reason);
          const cancelled =
            r.ok && view.asn !== null
              ? ` ASN ${view.asn.asnNumber} is cancelled (the Party is told): issue a new one.`
              : "";
          set({
            supervisorMessage: r.ok
              ? `Manifest ${r.built.payload.manifestId} built: ${r.built.counts.hubs} hubs go back, ${r.built.counts.excluded} left out.${cancelled}`
              : null,
          });
        });
      },
      async recordLabelsPrinted(labels) {
        await guarded(async () => {
          if (labels.length === 0) return "No labels to record.";
          await record(labels.map((p) => event("label.printed", p)));
          await refresh();
          set({ supervisorMessage: `${labels.length} label(s) printed.` });
        });
      },
      submitOutboundScan(raw, source) {
        const view = get().supervisor;
        if (view === null || view.manifest === null || view.dispatch !== null) return;
        held.push({ raw, source });
      },
      async takeOffLoad(sscc) {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.load === null) return "Build the manifest first.";
          if (view.dispatch !== null) return "This delivery is already dispatched.";
          const r = decideOutboundUnload(view.load, sscc, log.stamp(operatorId()));
          if (!r.ok) return r.reason;
          await record(r.decision.events);
          set({
            supervisor: { ...view, load: r.decision.load, loadCheck: loadAgrees(r.decision.load) },
            supervisorMessage: r.decision.verdict.reason.replace(/^./, (c) => c.toUpperCase()) + ".",
          });
        });
      },
      acknowledgeOutbound() {
        if (get().outboundError === null) return;
        set({ outboundError: null });
        held.kick();
      },
      outboundSettled() {
        return held.settled();
      },
      async issueAsn() {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.manifest === null) return "Build the manifest first.";
          if (view.asn !== null)
            return `ASN ${view.asn.asnNumber} is already issued for manifest ${view.manifest.manifestId}; a new delivery (a rebuilt manifest) gets a new one.`;
          // Numbers come from central only (a block this dock reserved ahead): never one another dock, or this dock before a reinstall, issued.
          if (deps.asnNumbers === undefined)
            return "This dock has no ASN numbers from central: ASN numbers come only from central. Nothing was issued.";
          const number = await deps.asnNumbers.next(operatorId());
          if (!number.ok) return number.reason;
          // issuedAt is the asn.issued event's own instant, so central can rebuild the very document from the event and the manifest and check the hash.
          const issuedMs = deps.now();
          const doc = buildAsnDocument({
            asnNumber: number.asnNumber,
            issuedAt: new Date(issuedMs).toISOString(),
            manifest: view.manifest,
            partyName: view.booking.partyName,
            shipFrom: { csp: deps.site.csp, facilityId: deps.site.facilityId },
          });
          if (!doc.ok) return `The ASN cannot be built: ${doc.reason}`;
          const sha = await asnSha256(doc.document);
          const payload = asnIssuedPayload(doc.document, sha);
          if (!payload.ok) return payload.reason;
          // The file is kept as issued, so the download later is byte for byte the hashed document.
          await putAsnDocument(deps.db, number.asnNumber, asnJson(doc.document));
          await record([event("asn.issued", payload.payload, issuedMs)]);
          await refresh();
          set({ supervisorMessage: `ASN ${number.asnNumber} issued (${doc.document.totals.hubs} hubs).` });
        });
      },
      async issueNotice() {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.manifest === null) return "Build the manifest first.";
          if (view.built === null)
            return "Results changed since this manifest was built: rebuild it before issuing the notice.";
          const earlier = view.manifestIds.length > 1 || view.noticesIssued > 0;
          const notice = redeliveryNotice(view.built, earlier);
          await record([event("notice.issued", notice.payload)]);
          await refresh();
          set({
            supervisorMessage: `Re-delivery notice ${earlier ? "re-issued" : "issued"}: ${notice.payload.flashedCount} re-flashed, ${notice.payload.failedCount} failed.`,
          });
        });
      },
      async acknowledgeRedeliveryAmendment() {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.amendment === null) return "There is no amendment to acknowledge.";
          const review = view.amendment;
          await record([event("amendment.acknowledged", review.acknowledged)]);
          if (!review.slot.ok) {
            await refresh();
            return `Amendment acknowledged, but the new slot is outside working hours: ${review.slot.problems.map((p) => p.message).join("; ")}. Agree another slot with the Party.`;
          }
          if (view.dispatch !== null) {
            await refresh();
            return "Amendment acknowledged; this delivery is already dispatched.";
          }
          if (!sameLocation(review.delivery.location, redeliveryLocation(view.booking)))
            // buildManifest delivers to the booking's location; a changed location arrives with the booking.
            set({
              supervisorMessage:
                "The amended location is not on the booking yet: rebuild when central's booking carries it.",
            });
          const r = await build({ date: review.delivery.date, window: review.delivery.window }, view);
          if (!r.ok) {
            await refresh(r.reason);
            return `Amendment acknowledged; the manifest could not be rebuilt: ${r.reason}`;
          }
          await record([event("notice.issued", redeliveryNotice(r.built, true).payload)]);
          await refresh();
          set({
            supervisorMessage: `Amendment acknowledged: manifest ${r.built.payload.manifestId} rebuilt for ${review.delivery.date} ${review.delivery.window.start}-${review.delivery.window.end}, notice re-issued.${view.asn !== null ? ` ASN ${view.asn.asnNumber} is cancelled (the Party is told).` : ""} Verify the load and issue a new ASN.`,
          });
        });
      },
      async checkSmiUpdates() {
        const view = get().supervisor;
        if (view === null || view.manifest === null) return null;
        const smi = await askSmi(view.manifest);
        // Only if the same manifest is still open (the supervisor may have moved on meanwhile).
        if (get().supervisor?.manifest?.manifestId === smi.manifestId) set({ supervisorSmi: smi });
        return smi;
      },
      async recordDispatch(input) {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.manifest === null || view.load === null) return "Build the manifest first.";
          if (view.dispatch !== null) return "Already dispatched.";
          if (view.asn === null) return "Issue the ASN first: every delivery needs a new ASN.";
          const d = dispatchPayload(view.manifest, view.load, {
            asnNumber: view.asn.asnNumber,
            unloader: input.unloader,
            carrier: input.carrier?.trim() || null,
            vehicleRef: input.vehicleRef?.trim() || null,
          });
          if (!d.ok) return `Dispatch refused: ${d.reason}`;
          // Req 10: the SMI is updated before re-delivery. Asked afresh; central refuses it too if the dock were wrong.
          const smi = await askSmi(view.manifest);
          set({ supervisorSmi: smi });
          if (smi.problem !== null) return `Dispatch refused: ${smi.problem}`;
          if (!smi.check.ok) return `Dispatch refused: ${smi.check.refusal ?? ""}.`;
          await record([event("dispatch.recorded", d.payload)]);
          await refresh();
          set({ supervisorMessage: `Dispatched under ASN ${view.asn.asnNumber}.` });
        });
      },
      async startOutboundUnloading() {
        await guarded(async () => {
          const view = get().supervisor;
          if (view === null || view.manifest === null || view.dispatch === null) return "Dispatch first.";
          if (view.unloading !== null) return;
          const started = event("unloading.started", {
            direction: "outbound",
            manifestId: view.manifest.manifestId,
            unloader: view.dispatch.unloader,
          });
          const events: DockEvent[] = [started];
          // Where the Party unloads, liability passes on commencement (Annex A 2.10).
          const liability = liabilityTransferredPayload(started, null);
          if (liability.ok) events.push(event("liability.transferred", liability.payload));
          await record(events);
          await refresh();
        });
      },
      async completeOutboundUnloading() {
        await guarded(async () => {
          const view = get().supervisor;
          if (
            view === null ||
            view.manifest === null ||
            view.unloading === null ||
            view.unloading.startedEventId === null
          )
            return "Record the start of unloading first.";
          if (view.unloading.completedAt !== null) return;
          const log = await readLog(deps.db, view.booking.bookingRef);
          const started = eventsOfManifest(view.manifest.manifestId, log, "unloading.started").find(
            (e) => e.payload.direction === "outbound",
          );
          if (started === undefined) return "The start of unloading is not in the log.";
          const completed = event("unloading.completed", {
            direction: "outbound",
            manifestId: view.manifest.manifestId,
            unloader: view.unloading.unloader,
          });
          const events: DockEvent[] = [completed];
          if (view.unloading.liabilityAt === null) {
            // Where the DCC side unloads, liability passes on completion (Annex A 2.10).
            const liability = liabilityTransferredPayload(started, completed);
            if (!liability.ok) return `Liability could not be derived: ${liability.reason}`;
            events.push(event("liability.transferred", liability.payload));
          }
          await record(events);
          await refresh();
        });
      },
      async loadCharges(period) {
        const outcomes = chargeOutcomes(await eventsOfTypes(deps.db, ["flash.result", "fault.reported"]));
        // One cached booking at a time (a cursor), keeping only the owners of charged hubs.
        const owners = new Map<string, HubOwner>();
        await deps.db.bookings.each((r) => addHubOwners(owners, r.booking, outcomes));
        const hubs = chargeableHubs(owners, outcomes, deps.site.timeZone);
        const parties = new Map([...owners.values()].map((o) => [o.partyId, o.partyName]));
        const out: Statement[] = [];
        for (const [partyId, partyName] of parties) {
          const r = statement({ partyId, partyName }, period, hubs, site.charges);
          if (!r.ok) return set({ supervisorMessage: `Charges: ${r.reason}` });
          if (r.statement.counts.reflashed + r.statement.counts.notReflashable > 0) out.push(r.statement);
        }
        set({ chargesStatements: out });
      },
    };
  };
