import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createStore } from "zustand/vanilla";
import { spreadMerge } from "./dock-store";

interface S {
  a: number;
  b: string | null;
  c: { n: number } | null;
}

/** Two stores, zustand's own merge and the spread one, fed the same updates. */
function pair() {
  const init = (): S => ({ a: 0, b: null, c: null });
  const plain = createStore<S>()(() => init());
  const spread = createStore<S>()((set, _get, api) => {
    api.setState = spreadMerge<S>(set);
    return init();
  });
  return { plain, spread };
}

type Update =
  { kind: "partial"; p: Partial<S> } | { kind: "fn"; p: Partial<S> } | { kind: "same" } | { kind: "replace"; s: S };

const state = fc.record({
  a: fc.integer(),
  b: fc.option(fc.string()),
  c: fc.option(fc.record({ n: fc.integer() })),
});
const update: fc.Arbitrary<Update> = fc.oneof(
  fc.record({
    kind: fc.constant("partial" as const),
    p: state.chain((s) =>
      fc
        .subarray(Object.keys(s) as Array<keyof S>)
        .map((ks) => Object.fromEntries(ks.map((k) => [k, s[k]])) as Partial<S>),
    ),
  }),
  fc.record({ kind: fc.constant("fn" as const), p: state.map((s) => ({ a: s.a })) }),
  fc.constant({ kind: "same" as const }),
  fc.record({ kind: fc.constant("replace" as const), s: state }),
);

describe("spreadMerge: zustand's merge, made with a spread", () => {
  it("leaves the same state and tells the same listeners as zustand's Object.assign merge", () => {
    fc.assert(
      fc.property(fc.array(update, { maxLength: 40 }), (updates) => {
        const { plain, spread } = pair();
        const heard = { plain: 0, spread: 0 };
        plain.subscribe(() => heard.plain++);
        spread.subscribe(() => heard.spread++);
        for (const u of updates)
          for (const store of [plain, spread]) {
            if (u.kind === "partial") store.setState(u.p);
            else if (u.kind === "fn") store.setState((s) => ({ a: s.a + (u.p.a ?? 0) }));
            else if (u.kind === "same") store.setState((s) => s);
            else store.setState(u.s, true);
          }
        expect(spread.getState()).toEqual(plain.getState());
        expect(heard.spread).toBe(heard.plain);
      }),
    );
  });

  it("makes a new state object on a change, and keeps the old one as it was", () => {
    const { spread } = pair();
    const before = spread.getState();
    spread.setState({ b: "x" });
    expect(spread.getState()).not.toBe(before);
    expect(before.b).toBeNull();
    expect(spread.getState()).toEqual({ a: 0, b: "x", c: null });
  });
});
