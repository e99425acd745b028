import { z } from "zod";

/**
 * Who carries the risk of the hubs, and from when (SEC MP155 Annex A 2.5 inbound, 2.10
 * outbound). The instant is derived from recorded unloading times, never typed in, so the
 * audit trail shows which rule produced it; a missing or contradictory time is an error,
 * because a guessed liability instant is worse than none.
 */

export const DirectionSchema = z.enum(["inbound", "outbound"]);
export type Direction = z.infer<typeof DirectionSchema>;

/** Who physically unloads the vehicle: the dock's own staff (the DCC side) or the Party's carrier. */
export const UnloaderSchema = z.enum(["dock", "party"]);
export type Unloader = z.infer<typeof UnloaderSchema>;

/** The two sides liability passes between. */
export const LiabilityHolderSchema = z.enum(["party", "dcc"]);
export type LiabilityHolder = z.infer<typeof LiabilityHolderSchema>;

export const LiabilityRuleIdSchema = z.enum([
  "inbound-dock-unloads",
  "inbound-party-unloads",
  "outbound-party-unloads",
  "outbound-dock-unloads",
]);
export type LiabilityRuleId = z.infer<typeof LiabilityRuleIdSchema>;

export type UnloadingMoment = "commencement" | "completion";

export interface LiabilityRule {
  id: LiabilityRuleId;
  direction: Direction;
  unloader: Unloader;
  moment: UnloadingMoment;
  from: LiabilityHolder;
  to: LiabilityHolder;
  /** The rule in words, stored with the derived instant. */
  text: string;
}

/** The four cases of Annex A 2.5 / 2.10: whoever unloads, liability passes when it is least disputable. */
export const LIABILITY_RULES: Readonly<Record<LiabilityRuleId, LiabilityRule>> = {
  "inbound-dock-unloads": {
    id: "inbound-dock-unloads",
    direction: "inbound",
    unloader: "dock",
    moment: "commencement",
    from: "party",
    to: "dcc",
    text: "Annex A 2.5: inbound, where the DCC side (the dock) unloads, liability passes to the DCC side on commencement of unloading.",
  },
  "inbound-party-unloads": {
    id: "inbound-party-unloads",
    direction: "inbound",
    unloader: "party",
    moment: "completion",
    from: "party",
    to: "dcc",
    text: "Annex A 2.5: inbound, where the Party's carrier unloads, liability passes to the DCC side on completion of unloading.",
  },
  "outbound-party-unloads": {
    id: "outbound-party-unloads",
    direction: "outbound",
    unloader: "party",
    moment: "commencement",
    from: "dcc",
    to: "party",
    text: "Annex A 2.10: outbound, where the Party unloads, liability passes to the Party on commencement of unloading.",
  },
  "outbound-dock-unloads": {
    id: "outbound-dock-unloads",
    direction: "outbound",
    unloader: "dock",
    moment: "completion",
    from: "dcc",
    to: "party",
    text: "Annex A 2.10: outbound, where the DCC side unloads, liability passes to the Party on completion of unloading.",
  },
};

/** The rule that governs a delivery, from its direction and who unloads. */
export function liabilityRuleFor(direction: Direction, unloader: Unloader): LiabilityRule {
  const id: LiabilityRuleId = `${direction}-${unloader}-unloads`;
  return LIABILITY_RULES[id];
}

/** What the dock recorded about one unloading. Instants are ISO-8601 strings as events carry them. */
export interface UnloadingRecord {
  direction: Direction;
  unloader: Unloader;
  startedAt: string | null;
  /** Null while unloading is still going on. */
  completedAt: string | null;
  operatorId: string;
}

export type LiabilityErrorCode =
  | "invalid-direction"
  | "invalid-unloader"
  | "missing-operator"
  | "missing-start"
  | "invalid-start"
  | "invalid-end"
  | "end-before-start"
  | "end-required";

export type LiabilityResult =
  | {
      ok: true;
      /** The recorded instant (verbatim) at which liability passed. */
      transferAt: string;
      transferAtMs: number;
      ruleId: LiabilityRuleId;
      /** The words of the rule that applied. */
      rule: string;
      moment: UnloadingMoment;
      from: LiabilityHolder;
      to: LiabilityHolder;
      direction: Direction;
      unloader: Unloader;
      operatorId: string;
    }
  | { ok: false; code: LiabilityErrorCode; message: string };

const IsoInstantSchema = z.iso.datetime({ offset: true });

/** Milliseconds of an ISO-8601 instant with a zone (Z or ±hh:mm), or null if it is not one. */
function instantMs(s: unknown): number | null {
  if (!IsoInstantSchema.safeParse(s).success) return null;
  const ms = Date.parse(s as string);
  return Number.isFinite(ms) ? ms : null;
}

function fail(code: LiabilityErrorCode, message: string): LiabilityResult {
  return { ok: false, code, message };
}

/** Derive the liability transfer instant from a recorded unloading, or say exactly why it cannot be. */
export function deriveLiabilityTransfer(record: UnloadingRecord): LiabilityResult {
  const direction = DirectionSchema.safeParse(record.direction);
  if (!direction.success)
    return fail("invalid-direction", `direction must be inbound or outbound, got ${JSON.stringify(record.direction)}`);
  const unloader = UnloaderSchema.safeParse(record.unloader);
  if (!unloader.success)
    return fail("invalid-unloader", `unloader must be dock or party, got ${JSON.stringify(record.unloader)}`);
  if (typeof record.operatorId !== "string" || record.operatorId.trim() === "")
    return fail("missing-operator", "the operator who recorded the unloading is required");

  const rule = liabilityRuleFor(direction.data, unloader.data);
  if (record.startedAt === null || record.startedAt === undefined)
    return fail("missing-start", "the start of unloading has not been recorded");
  const startMs = instantMs(record.startedAt);
  if (startMs === null)
    return fail(
      "invalid-start",
      `start of unloading ${JSON.stringify(record.startedAt)} is not an ISO-8601 instant with a time zone`,
    );

  let endMs: number | null = null;
  if (record.completedAt !== null && record.completedAt !== undefined) {
    endMs = instantMs(record.completedAt);
    if (endMs === null)
      return fail(
        "invalid-end",
        `completion of unloading ${JSON.stringify(record.completedAt)} is not an ISO-8601 instant with a time zone`,
      );
    // Contradictory times are refused even where the rule only needs the start: one of them is wrong.
    if (endMs < startMs)
      return fail(
        "end-before-start",
        `completion of unloading (${record.completedAt}) is before its start (${record.startedAt})`,
      );
  }

  let transferAt: string;
  let transferAtMs: number;
  if (rule.moment === "commencement") {
    transferAt = record.startedAt;
    transferAtMs = startMs;
  } else {
    if (endMs === null || record.completedAt === null)
      return fail("end-required", `${rule.text} Completion of unloading has not been recorded yet.`);
    transferAt = record.completedAt;
    transferAtMs = endMs;
  }
  return {
    ok: true,
    transferAt,
    transferAtMs,
    ruleId: rule.id,
    rule: rule.text,
    moment: rule.moment,
    from: rule.from,
    to: rule.to,
    direction: rule.direction,
    unloader: rule.unloader,
    operatorId: record.operatorId,
  };
}
