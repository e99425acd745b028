/**
 * Outbound load verification (MP155 Req 9): a pure reducer, load state + scan → verdict + new
 * state, like receiving. Every pallet and carton label on the manifest is scanned onto the
 * vehicle; dispatch is allowed only when the load and the manifest agree exactly (nothing
 * missing, nothing extra).
 *
 * Why the state is plain immutable maps copied on write (receiving uses persistent tries): a
 * load is at most a few pallets of ~30 cartons, so copying a map of a hundred entries a scan
 * costs nothing, and every old state stays valid (React may run a reducer twice).
 */
import type { ParsedScan } from "./scan";
import { describeLabelReference, labelReferenceOf, parseScan } from "./scan-parser";
import { makeEvent, type EventContext, type EventOf, type OutboundVerdictCode } from "../events";
import { newEventId } from "./ids";
import { manifestCounts, type ManifestPayload } from "./manifest";
import type { Unloader } from "./liability";

export type OutboundVerdictClass = "ok" | "warn" | "error";

/** Colour and sound of each verdict, the same classes receiving uses (a duplicate warns, the rest that are not expected fail loudly). */
export const OUTBOUND_VERDICTS = {
  // "expected" may be raised to "warn" when a carton label's hub count disagrees with the manifest.
  expected: { class: "ok" },
  duplicate: { class: "warn" },
  "not-on-manifest": { class: "error" },
  "wrong-kind": { class: "error" },
  unreadable: { class: "error" },
} as const satisfies Record<OutboundVerdictCode, { class: OutboundVerdictClass }>;

export type LoadUnitKind = "pallet" | "carton";

interface ManifestUnit {
  kind: LoadUnitKind;
  /** The pallet a carton sits on; null for a loose carton and for pallets. */
  palletSscc: string | null;
  /** Hubs a carton holds on the manifest (null for pallets). */
  hubCount: number | null;
}

export interface OutboundVerdict {
  code: OutboundVerdictCode;
  class: OutboundVerdictClass;
  reason: string;
  /** The SSCC the scan named, if it named one. */
  sscc: string | null;
}

export interface LoadedUnit {
  kind: LoadUnitKind;
  scanId: string;
  at: string;
}

export interface OutboundOptions {
  /**
   * When true, a pallet scan stands for the cartons the manifest puts on it (a wrapped pallet
   * whose cartons cannot be reached). Default false: each carton is scanned too.
   */
  palletStandsForCartons?: boolean;
}

/** A load in progress. Read it with loadAgrees / loadProgress. */
export interface OutboundState {
  readonly manifestId: string;
  readonly units: ReadonlyMap<string, ManifestUnit>;
  readonly options: Required<OutboundOptions>;
  /** Manifest units on the vehicle, by SSCC. */
  readonly loaded: ReadonlyMap<string, LoadedUnit>;
  /** Labels scanned onto the vehicle that are not on the manifest, by SSCC. */
  readonly extra: ReadonlyMap<string, LoadedUnit>;
  readonly scanIds: ReadonlySet<string>;
  /** The latest verdict, for the screen (null before the first scan). */
  readonly last: OutboundVerdict | null;
}

export type OutboundAction =
  | { type: "scan"; scanId: string; scan: ParsedScan; at: string }
  /** A unit taken off the vehicle again (a wrong pallet loaded, a carton re-packed). */
  | { type: "unload"; scanId: string; sscc: string; at: string };

/** The state of an empty vehicle for a manifest. */
export function initialOutboundState(manifest: ManifestPayload, options: OutboundOptions = {}): OutboundState {
  const units = new Map<string, ManifestUnit>();
  for (const p of manifest.pallets) {
    units.set(p.sscc, { kind: "pallet", palletSscc: null, hubCount: null });
    for (const c of p.cartons) units.set(c.sscc, { kind: "carton", palletSscc: p.sscc, hubCount: c.hubs.length });
  }
  for (const c of manifest.looseCartons)
    units.set(c.sscc, { kind: "carton", palletSscc: null, hubCount: c.hubs.length });
  return {
    manifestId: manifest.manifestId,
    units,
    options: { palletStandsForCartons: options.palletStandsForCartons ?? false },
    loaded: new Map(),
    extra: new Map(),
    scanIds: new Set(),
    last: null,
  };
}

function verdict(code: OutboundVerdictCode, reason: string, sscc: string | null): OutboundVerdict {
  return { code, class: OUTBOUND_VERDICTS[code].class, reason, sscc };
}

function withScan(
  state: OutboundState,
  scanId: string,
  v: OutboundVerdict,
  loaded = state.loaded,
  extra = state.extra,
): { state: OutboundState; verdict: OutboundVerdict } {
  const scanIds = new Set(state.scanIds);
  scanIds.add(scanId);
  return { state: { ...state, loaded, extra, scanIds, last: v }, verdict: v };
}

/** Applies one scan (or unload) to the load; returns the verdict and the new state. An action seen before changes nothing. */
export function reduceOutbound(
  state: OutboundState,
  action: OutboundAction,
): { state: OutboundState; verdict: OutboundVerdict } {
  if (state.scanIds.has(action.scanId)) {
    // Replaying an already-applied event (journal replay, StrictMode) must not count twice.
    return { state, verdict: verdict("duplicate", `scan ${action.scanId} was already applied`, null) };
  }
  if (action.type === "unload") {
    const sscc = action.sscc;
    if (state.loaded.has(sscc)) {
      const loaded = new Map(state.loaded);
      loaded.delete(sscc);
      return withScan(
        state,
        action.scanId,
        verdict("expected", `${state.units.get(sscc)?.kind ?? "unit"} ${sscc} taken off the load`, sscc),
        loaded,
      );
    }
    if (state.extra.has(sscc)) {
      const extra = new Map(state.extra);
      extra.delete(sscc);
      return withScan(
        state,
        action.scanId,
        verdict("expected", `${sscc} (not on the manifest) taken off the load`, sscc),
        state.loaded,
        extra,
      );
    }
    return withScan(
      state,
      action.scanId,
      verdict("not-on-manifest", `${sscc} is not on the load, nothing to take off`, sscc),
    );
  }

  const scan = action.scan;
  switch (scan.kind) {
    case "unreadable": {
      // The upper symbol of a two-symbol label names no unit: refused by name, the load unchanged.
      const ref = labelReferenceOf(scan);
      if (ref !== null)
        return withScan(
          state,
          action.scanId,
          verdict(
            "wrong-kind",
            `this is the booking-reference barcode of a label (${describeLabelReference(ref)}): scan the SSCC barcode (the bottom one) onto the load`,
            null,
          ),
        );
      return withScan(state, action.scanId, verdict("unreadable", `unreadable: ${scan.reason}`.slice(0, 500), null));
    }
    case "hub":
      return withScan(
        state,
        action.scanId,
        verdict("wrong-kind", `this is hub ${scan.deviceId}: scan the pallet and carton labels onto the load`, null),
      );
    case "booking-label":
      return withScan(
        state,
        action.scanId,
        verdict(
          "wrong-kind",
          `this is the booking label of ${scan.bookingRef}: scan the pallet and carton labels onto the load`,
          null,
        ),
      );
    case "carton-number":
      return withScan(
        state,
        action.scanId,
        verdict(
          "wrong-kind",
          `this is an original supplier's carton number (${scan.cartonNumber}): scan the SSCC label the dock printed for the carton`,
          null,
        ),
      );
    case "sscc":
    case "pallet":
    case "carton": {
      const sscc = scan.sscc;
      const unit = state.units.get(sscc);
      // A label without our kind is whatever the manifest lists it as (an unlisted one is extra, kind unknown: taken as a pallet).
      const labelKind = scan.kind === "sscc" ? (unit?.kind ?? "pallet") : scan.kind;
      if (unit === undefined) {
        const what = scan.kind === "sscc" ? "SSCC" : scan.kind;
        if (state.extra.has(sscc))
          return withScan(
            state,
            action.scanId,
            verdict(
              "duplicate",
              `${what} ${sscc} was already scanned, and it is not on manifest ${state.manifestId}`,
              sscc,
            ),
          );
        const extra = new Map(state.extra);
        extra.set(sscc, { kind: labelKind, scanId: action.scanId, at: action.at });
        return withScan(
          state,
          action.scanId,
          verdict(
            "not-on-manifest",
            `${what} ${sscc} is not on manifest ${state.manifestId}: take it off the vehicle`,
            sscc,
          ),
          state.loaded,
          extra,
        );
      }
      if (unit.kind !== labelKind)
        return withScan(
          state,
          action.scanId,
          verdict(
            "wrong-kind",
            `${sscc} is a ${unit.kind} on the manifest but this label says ${labelKind}: check the label`,
            sscc,
          ),
        );
      const covered =
        unit.kind === "carton" &&
        unit.palletSscc !== null &&
        state.options.palletStandsForCartons &&
        state.loaded.has(unit.palletSscc);
      if (state.loaded.has(sscc) || covered)
        return withScan(
          state,
          action.scanId,
          verdict(
            "duplicate",
            covered && !state.loaded.has(sscc)
              ? `carton ${sscc} is already loaded with its pallet ${unit.palletSscc}`
              : `${unit.kind} ${sscc} is already on the load`,
            sscc,
          ),
        );
      const loaded = new Map(state.loaded);
      loaded.set(sscc, { kind: unit.kind, scanId: action.scanId, at: action.at });
      const where = unit.kind === "carton" ? (unit.palletSscc ? ` (on pallet ${unit.palletSscc})` : " (loose)") : "";
      // Carton integrity: an old label still saying the count it arrived with, on a carton going back short.
      const labelCount = scan.kind === "carton" ? scan.hubCount : null;
      if (labelCount !== null && unit.hubCount !== null && labelCount !== unit.hubCount) {
        const v = verdict(
          "expected",
          `carton ${sscc}${where} loaded, but its label says ${labelCount} hubs and the manifest ${unit.hubCount}: print its new label`,
          sscc,
        );
        return withScan(state, action.scanId, { ...v, class: "warn" }, loaded);
      }
      return withScan(state, action.scanId, verdict("expected", `${unit.kind} ${sscc}${where} loaded`, sscc), loaded);
    }
  }
}

export interface LoadCheck {
  /** True only when every manifest unit is on the load and nothing else is: dispatch may go. */
  agrees: boolean;
  missing: Array<{ sscc: string; kind: LoadUnitKind; palletSscc: string | null }>;
  extra: Array<{ sscc: string; kind: LoadUnitKind }>;
  loadedCount: number;
  expectedCount: number;
}

/** Compares the load with its manifest: what is still missing, what should not be there. */
export function loadAgrees(state: OutboundState): LoadCheck {
  const missing: LoadCheck["missing"] = [];
  let expectedCount = 0;
  let loadedCount = 0;
  for (const [sscc, unit] of state.units) {
    expectedCount++;
    const covered =
      unit.kind === "carton" &&
      unit.palletSscc !== null &&
      state.options.palletStandsForCartons &&
      state.loaded.has(unit.palletSscc);
    if (state.loaded.has(sscc) || covered) loadedCount++;
    else missing.push({ sscc, kind: unit.kind, palletSscc: unit.palletSscc });
  }
  const extra = [...state.extra].map(([sscc, u]) => ({ sscc, kind: u.kind }));
  return { agrees: missing.length === 0 && extra.length === 0, missing, extra, loadedCount, expectedCount };
}

/** The `outbound.scan.recorded` payload for a scan and its verdict. */
export function outboundScanPayload(
  manifestId: string,
  source: "wedge" | "hid-pos" | "camera",
  scan: ParsedScan,
  v: OutboundVerdict,
): {
  manifestId: string;
  source: "wedge" | "hid-pos" | "camera";
  raw: string;
  kind: ParsedScan["kind"];
  verdict: OutboundVerdictCode;
  sscc: string | null;
  reason: string;
} {
  return {
    manifestId,
    source,
    raw: scan.raw.slice(0, 1000),
    kind: scan.kind,
    verdict: v.code,
    sscc: v.sscc,
    reason: v.reason.slice(0, 500) || v.code,
  };
}

export interface DispatchInput {
  asnNumber: string;
  unloader: Unloader;
  carrier: string | null;
  vehicleRef: string | null;
}

/** The `dispatch.recorded` payload, refused unless the load and the manifest agree exactly. */
export function dispatchPayload(
  manifest: ManifestPayload,
  state: OutboundState,
  input: DispatchInput,
):
  | {
      ok: true;
      payload: {
        manifestId: string;
        asnNumber: string;
        unloader: Unloader;
        carrier: string | null;
        vehicleRef: string | null;
        palletCount: number;
        cartonCount: number;
        hubCount: number;
      };
    }
  | { ok: false; reason: string; check: LoadCheck } {
  const check = loadAgrees(state);
  if (state.manifestId !== manifest.manifestId)
    return { ok: false, reason: `the load is of manifest ${state.manifestId}, not ${manifest.manifestId}`, check };
  if (!check.agrees) {
    const parts: string[] = [];
    if (check.missing.length > 0)
      parts.push(
        `${check.missing.length} not loaded (${check.missing
          .slice(0, 5)
          .map((m) => `${m.kind} ${m.sscc}`)
          .join(", ")}${check.missing.length > 5 ? ", …" : ""})`,
      );
    if (check.extra.length > 0)
      parts.push(
        `${check.extra.length} not on the manifest (${check.extra
          .slice(0, 5)
          .map((m) => `${m.kind} ${m.sscc}`)
          .join(", ")}${check.extra.length > 5 ? ", …" : ""})`,
      );
    return {
      ok: false,
      reason: `the load does not agree with manifest ${manifest.manifestId}: ${parts.join("; ")}`,
      check,
    };
  }
  return {
    ok: true,
    payload: {
      manifestId: manifest.manifestId,
      asnNumber: input.asnNumber,
      unloader: input.unloader,
      carrier: input.carrier,
      vehicleRef: input.vehicleRef,
      ...manifestCounts(manifest),
    },
  };
}

/**
 * Taking a unit off the vehicle (issue 18): a unit on the load, or scanned on by mistake, comes
 * off; the load after it and the `outbound.scan.recorded` event (action "unload") to record.
 * Refused (nothing to record) when the unit is not on the load.
 */
export function decideOutboundUnload(
  load: OutboundState,
  sscc: string,
  stamp: EventContext & { now: Date },
): { ok: true; decision: OutboundScanDecision } | { ok: false; reason: string } {
  if (!load.loaded.has(sscc) && !load.extra.has(sscc))
    return { ok: false, reason: `${sscc} is not on the vehicle: there is nothing to take off` };
  const id = stamp.id ?? newEventId(stamp.now);
  const { state, verdict: v } = reduceOutbound(load, { type: "unload", scanId: id, sscc, at: stamp.now.toISOString() });
  const event = makeEvent(
    "outbound.scan.recorded",
    {
      manifestId: load.manifestId,
      source: "wedge",
      raw: "",
      kind: "sscc",
      verdict: v.code,
      sscc,
      reason: v.reason.slice(0, 500),
      action: "unload",
    },
    { ...stamp, id },
  );
  return { ok: true, decision: { verdict: v, events: [event], load: state } };
}

/** What one outbound load scan decides: the verdict, the event to record, the load after it. */
export interface OutboundScanDecision {
  verdict: OutboundVerdict;
  events: [EventOf<"outbound.scan.recorded">];
  load: OutboundState;
}

/**
 * The outbound load aggregate's decision for one scan: judged against the manifest's load
 * (`reduceOutbound`), recorded as an `outbound.scan.recorded` event stamped with `stamp`.
 * Pure but for a fresh event id when the stamp gives none.
 */
export function decideOutboundScan(
  load: OutboundState,
  command: { raw: string; source: "wedge" | "hid-pos" | "camera" },
  stamp: EventContext & { now: Date },
): OutboundScanDecision {
  const scan = parseScan(command.raw);
  const id = stamp.id ?? newEventId(stamp.now);
  const { state, verdict: v } = reduceOutbound(load, { type: "scan", scanId: id, scan, at: stamp.now.toISOString() });
  const event = makeEvent("outbound.scan.recorded", outboundScanPayload(load.manifestId, command.source, scan, v), {
    ...stamp,
    id,
  });
  return { verdict: v, events: [event], load: state };
}
