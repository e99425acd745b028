import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideUnsentAlarm,
  DEFAULT_UNSENT_ALARM_MS,
  MAX_UNSENT_ALARM_MS,
  MIN_UNSENT_ALARM_MS,
  OldestUnsentWatchSchema,
  parseOldestUnsentWatch,
  UnsentAlarmMsSchema,
  watchOldestUnsent,
  type OldestUnsentWatch,
  type OutboxObservation,
} from "./unsent-alarm";

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);
const threshold = fc.integer({ min: MIN_UNSENT_ALARM_MS, max: 30 * 60_000 });

/** A dock's outbox over time: each step waits a while, then the oldest event stays, moves on, or the outbox empties. */
const step = fc.record({
  waitMs: fc.integer({ min: 0, max: 5 * 60_000 }),
  change: fc.constantFrom("stay", "stay", "stay", "move", "empty", "record"),
  more: fc.integer({ min: 0, max: 50 }),
});

interface Observed {
  obs: OutboxObservation;
  now: number;
}

/** Turns steps into observations: event ids e1, e2, … queued in order; "move" sends the oldest. */
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function simulate(steps: Step[]): Observed[] {
  let now = T0;
  let next = 1;
  const outbox: Array<{ id: string; at: number }> = [];
  const out: Observed[] = [];
  for (const s of steps) {
    now += s.waitMs;
    if (s.change === "move") outbox.shift();
    else if (s.change === "empty") outbox.length = 0;
    else if (s.change === "record") outbox.push({ id: `e${next++}`, at: now });
    for (let k = 0; k < s.more; k++) outbox.push({ id: `e${next++}`, at: now });
    const oldest = outbox[0];
    out.push({
      now,
      obs: { unsent: outbox.length, oldestUnsentId: oldest?.id ?? null, oldestUnsentAt: oldest?.at ?? null },
    });
  }
  return out;
}

/** The reference: since when (by observation) the current oldest event has been the oldest without a break. */
function referenceSince(seen: Observed[], upTo: number): number | null {
  const last = seen[upTo];
  if (last === undefined || last.obs.oldestUnsentId === null) return null;
  let since = last.now;
  for (let k = upTo - 1; k >= 0; k--) {
    const o = seen[k];
    if (o === undefined || o.obs.oldestUnsentId !== last.obs.oldestUnsentId) break;
    since = o.now;
  }
  return since;
}

describe("unsent-event alarm", () => {
  it("is raised exactly when the same oldest event has stayed unsent for the threshold", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), threshold, (steps, thresholdMs) => {
        const seen = simulate(steps);
        let watch: OldestUnsentWatch | null = null;
        seen.forEach(({ obs, now }, k) => {
          watch = watchOldestUnsent(watch, obs, now);
          const alarm = decideUnsentAlarm({ ...obs, watch, lastSuccessAt: null, now, thresholdMs });
          const since = referenceSince(seen, k);
          expect(alarm.raised).toBe(since !== null && now - since >= thresholdMs);
          if (alarm.raised) expect(alarm.stalledMs).toBe(now - (since ?? now));
        });
      }),
    );
  });

  it("is never raised with nothing unsent, and clears on the observation where the oldest event moves", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 30 }), threshold, (steps, thresholdMs) => {
        const seen = simulate(steps);
        let watch: OldestUnsentWatch | null = null;
        let prevId: string | null = null;
        for (const { obs, now } of seen) {
          watch = watchOldestUnsent(watch, obs, now);
          const alarm = decideUnsentAlarm({ ...obs, watch, lastSuccessAt: null, now, thresholdMs });
          if (obs.unsent === 0) expect(alarm.raised).toBe(false);
          if (obs.oldestUnsentId !== prevId) expect(alarm.raised).toBe(false);
          prevId = obs.oldestUnsentId;
        }
      }),
    );
  });

  it("once raised stays raised as time passes while nothing moves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        threshold,
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (unsent, thresholdMs, a, b) => {
          const obs = { unsent, oldestUnsentId: "e1", oldestUnsentAt: T0 };
          const watch = watchOldestUnsent(null, obs, T0);
          const at = (now: number) =>
            decideUnsentAlarm({ ...obs, watch, lastSuccessAt: null, now, thresholdMs }).raised;
          const [early, late] = a <= b ? [a, b] : [b, a];
          if (at(T0 + early)) expect(at(T0 + late)).toBe(true);
          expect(at(T0 + thresholdMs)).toBe(true);
          expect(at(T0 + thresholdMs - 1)).toBe(false);
        },
      ),
    );
  });

  it("keeps the watch when the id of the watched event becomes known, and restarts it for another event at the same time", () => {
    const first = watchOldestUnsent(null, { unsent: 1, oldestUnsentId: null, oldestUnsentAt: T0 }, T0);
    const known = watchOldestUnsent(first, { unsent: 3, oldestUnsentId: "e1", oldestUnsentAt: T0 }, T0 + 5000);
    expect(known).toEqual({ id: "e1", at: T0, since: T0 });
    const other = watchOldestUnsent(known, { unsent: 2, oldestUnsentId: "e2", oldestUnsentAt: T0 }, T0 + 9000);
    expect(other).toEqual({ id: "e2", at: T0, since: T0 + 9000 });
  });

  it("keeps the watch through an observation with no id (an estimate after recording), and after a reload goes on from it", () => {
    const stored = { id: "e1", at: T0, since: T0 };
    const estimate = watchOldestUnsent(
      stored,
      { unsent: 1, oldestUnsentId: null, oldestUnsentAt: T0 + 700_000 },
      T0 + 700_000,
    );
    expect(estimate).toBe(stored);
    const obs = { unsent: 3, oldestUnsentId: "e1", oldestUnsentAt: T0 };
    const read = watchOldestUnsent(parseOldestUnsentWatch(JSON.stringify(estimate)), obs, T0 + 701_000);
    expect(read).toEqual(stored);
    expect(
      decideUnsentAlarm({
        ...obs,
        watch: read,
        lastSuccessAt: null,
        now: T0 + 701_000,
        thresholdMs: DEFAULT_UNSENT_ALARM_MS,
      }).raised,
    ).toBe(true);
  });

  it("reads back only a well-formed stored watch", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const w = parseOldestUnsentWatch(JSON.stringify(v));
        if (w !== null) expect(OldestUnsentWatchSchema.safeParse(w).success).toBe(true);
      }),
    );
    expect(parseOldestUnsentWatch(null)).toBeNull();
    expect(parseOldestUnsentWatch("{not json")).toBeNull();
    expect(parseOldestUnsentWatch('{"id":"e1","at":1,"since":"yesterday"}')).toBeNull();
    expect(parseOldestUnsentWatch('{"id":"e1","at":1,"since":2}')).toEqual({ id: "e1", at: 1, since: 2 });
  });

  it("says how many events wait, since when on the site's clock, what to check and that nothing is lost", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: null }),
        (unsent, stalled, contactAgo) => {
          const now = T0 + stalled;
          const obs = { unsent, oldestUnsentId: "e1", oldestUnsentAt: T0 };
          const alarm = decideUnsentAlarm({
            ...obs,
            watch: watchOldestUnsent(null, obs, T0),
            lastSuccessAt: contactAgo === null ? null : T0 - contactAgo,
            now,
            thresholdMs: DEFAULT_UNSENT_ALARM_MS,
          });
          expect(alarm.raised).toBe(stalled >= DEFAULT_UNSENT_ALARM_MS);
          if (!alarm.raised) return;
          expect(alarm.message).toContain(unsent === 1 ? "1 event recorded since" : `${unsent} events recorded since`);
          expect(alarm.message).toContain("not reached central");
          expect(alarm.message).toContain("network cable");
          expect(alarm.message).toContain("Nothing is lost");
          expect(alarm.message).not.toMatch(/undefined|NaN|null/);
        },
      ),
    );
  });

  it("puts the queue time in the site's zone: 09:00 UTC in December is 09:00 in London", () => {
    const obs = { unsent: 4, oldestUnsentId: "e1", oldestUnsentAt: T0 };
    const alarm = decideUnsentAlarm({
      ...obs,
      watch: watchOldestUnsent(null, obs, T0),
      lastSuccessAt: T0 - 60_000,
      now: T0 + 11 * 60_000,
      thresholdMs: DEFAULT_UNSENT_ALARM_MS,
    });
    expect(alarm).toEqual({
      raised: true,
      stalledMs: 11 * 60_000,
      message:
        "4 events recorded since 09:00 have not reached central (nothing has moved for 11 min). Last contact with central: 08:59. " +
        "Check this PC's network cable and that central is running, or call IT. Nothing is lost: the events stay on this dock and are sent as soon as central answers.",
    });
  });

  it("validates the configured threshold", () => {
    expect(UnsentAlarmMsSchema.safeParse(DEFAULT_UNSENT_ALARM_MS).success).toBe(true);
    expect(UnsentAlarmMsSchema.safeParse(MIN_UNSENT_ALARM_MS - 1).success).toBe(false);
    expect(UnsentAlarmMsSchema.safeParse(MAX_UNSENT_ALARM_MS + 1).success).toBe(false);
    expect(UnsentAlarmMsSchema.safeParse(1500.5).success).toBe(false);
  });
});
