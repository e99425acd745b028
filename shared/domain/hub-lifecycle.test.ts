import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowedNext, HUB_STATES, isFinalHubState, transition, type HubState } from "./hub-lifecycle";

const state = fc.constantFrom(...HUB_STATES);

/** The happy path of one hub through the service. */
const HAPPY: HubState[] = ["booked", "received", "queued-for-jig", "flashing", "flashed", "manifested", "dispatched", "delivered"];

describe("hub lifecycle", () => {
  it("walks the happy path", () => {
    for (let i = 1; i < HAPPY.length; i++) expect(transition(HAPPY[i - 1]!, HAPPY[i]!).ok).toBe(true);
  });

  it("undoing a receipt scan returns received to booked", () => {
    expect(transition("received", "booked")).toMatchObject({ ok: true, because: "the receipt scan was undone" });
  });

  it("a failed flash can be retried, scrapped or credited, but never manifested", () => {
    expect(transition("flash-failed", "queued-for-jig").ok).toBe(true);
    expect(transition("flash-failed", "scrapped").ok).toBe(true);
    expect(transition("flash-failed", "credited").ok).toBe(true);
    const r = transition("flash-failed", "manifested");
    expect(r).toMatchObject({ ok: false, code: "illegal-transition" });
    if (!r.ok) expect(r.message).toBe("a hub cannot go from flash-failed to manifested (from flash-failed a hub may go to queued-for-jig, scrapped, credited)");
  });

  it("final states have no way out", () => {
    for (const s of ["rejected-at-receipt", "scrapped", "credited", "delivered"] as const) {
      expect(isFinalHubState(s)).toBe(true);
      expect(allowedNext(s)).toEqual([]);
    }
    const r = transition("delivered", "booked");
    if (!r.ok) expect(r.message).toContain("delivered is final");
    expect(r.ok).toBe(false);
  });

  it("an unknown state is refused, not thrown", () => {
    expect(transition("lost" as HubState, "booked")).toMatchObject({ ok: false, code: "unknown-state" });
    expect(transition("booked", "lost" as HubState)).toMatchObject({ ok: false, code: "unknown-state" });
    expect(allowedNext("lost" as HubState)).toEqual([]);
  });

  it("every state is reachable from booked", () => {
    const seen = new Set<HubState>(["booked"]);
    const queue: HubState[] = ["booked"];
    while (queue.length > 0) for (const n of allowedNext(queue.shift()!)) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    expect([...seen].sort()).toEqual([...HUB_STATES].sort());
  });

  it("every move allowedNext offers is reachable from booked and accepted by transition", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
        // A random walk from booked, choosing only among allowed moves.
        let s: HubState = "booked";
        for (const c of choices) {
          const next = allowedNext(s);
          if (next.length === 0) break;
          const to = next[c % next.length]!;
          const r = transition(s, to);
          expect(r).toMatchObject({ ok: true, from: s, to });
          s = to;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("every pair agrees with allowedNext, and every illegal pair is refused naming both states", () => {
    fc.assert(
      fc.property(state, state, (from, to) => {
        const r = transition(from, to);
        expect(r.ok).toBe(allowedNext(from).includes(to));
        if (!r.ok) {
          expect(r.code).toBe("illegal-transition");
          expect(r.message).toContain(`from ${from} to ${to}`);
        }
      }),
      { numRuns: 300 },
    );
    // Exhaustively too: the space is small.
    let illegal = 0;
    for (const from of HUB_STATES) for (const to of HUB_STATES) if (!transition(from, to).ok) illegal++;
    expect(illegal).toBe(HUB_STATES.length ** 2 - HUB_STATES.reduce((n, s) => n + allowedNext(s).length, 0));
  });

  it("no state moves to itself", () => {
    for (const s of HUB_STATES) expect(transition(s, s).ok).toBe(false);
  });
});
