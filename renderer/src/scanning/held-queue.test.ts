import { describe, it, expect } from "vitest";
import fc from "fast-check";
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

  it("judges a scan with nothing ahead of it at once, never listing it as waiting; one arriving meanwhile waits behind it", async () => {
    const listed: string[][] = [];
    let items: string[] = [];
    const done: string[] = [];
    let release: () => void = () => undefined;
    const queue = createHeldQueue<string>({
      items: () => items,
      setItems: (next) => {
        items = next;
        listed.push(next);
      },
      blocked: () => false,
      async process(item) {
        if (item === "slow") await new Promise<void>((r) => (release = r));
        done.push(item);
      },
    });
    queue.push("slow");
    expect(listed).toEqual([]);
    await Promise.resolve();
    queue.push("next");
    queue.push("last");
    expect(items).toEqual(["next", "last"]);
    expect(done).toEqual([]);
    release();
    await queue.settled();
    expect(done).toEqual(["slow", "next", "last"]);
    expect(items).toEqual([]);
    // Only the scans that waited were ever listed.
    expect(listed.flat()).not.toContain("slow");
  });

  it("a scan arriving just after an acknowledgement waits behind the scans still held, even when one of them errors again", async () => {
    const r = rig();
    for (const s of ["a", "bad-1", "b", "bad-2", "c"]) r.queue.push(s);
    await r.queue.settled();
    expect(r.items()).toEqual(["b", "bad-2", "c"]);
    r.acknowledge();
    r.queue.kick();
    r.queue.push("d"); // before the queue has started again
    await r.queue.settled();
    expect(r.done).toEqual(["a", "bad-1", "b", "bad-2"]);
    expect(r.items()).toEqual(["c", "d"]);
  });

  it("never overtakes: random pushes, errors and acknowledgements keep the order of arrival", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("push", "push", "ack", "tick"), { maxLength: 40 }), async (steps) => {
        const r = rig();
        const pushed: string[] = [];
        for (const step of steps) {
          if (step === "ack") {
            r.acknowledge();
            r.queue.kick();
          } else if (step === "tick") await Promise.resolve();
          else {
            const item = `${pushed.length % 7 === 3 ? "bad" : "s"}-${pushed.length}`;
            pushed.push(item);
            r.queue.push(item);
          }
        }
        await r.queue.settled();
        // Processed scans are a prefix of the pushed ones, the rest still waiting in order.
        expect([...r.done, ...r.items()]).toEqual(pushed);
      }),
    );
  });
});
