import { describe, it, expect } from "vitest";
import { createHeldQueue } from "./held-queue";

// The one queue of scans held behind an error (receiving and outbound loading).

function rig() {
  let items: string[] = [];
  let error: string | null = null;
  const done: string[] = [];
  const queue = createHeldQueue<string>({
    items: () => items,
    setItems: (next) => {
      items = next;
    },
    blocked: () => error !== null,
    async process(item) {
      await Promise.resolve();
      done.push(item);
      if (item.startsWith("bad")) error = item;
    },
  });
  return { queue, done, items: () => items, acknowledge: () => (error = null) };
}

describe("held queue", () => {
  it("processes scans one at a time in order; an error holds the rest until acknowledged", async () => {
    const r = rig();
    for (const s of ["a", "bad-1", "b", "c"]) r.queue.push(s);
    await r.queue.settled();
    expect(r.done).toEqual(["a", "bad-1"]);
    expect(r.items()).toEqual(["b", "c"]);
    r.queue.push("d");
    await r.queue.settled();
    expect(r.done).toEqual(["a", "bad-1"]);
    r.acknowledge();
    r.queue.kick();
    await r.queue.settled();
    expect(r.done).toEqual(["a", "bad-1", "b", "c", "d"]);
    expect(r.items()).toEqual([]);
  });
});
