/**
 * Scans held behind an error: the one queue receiving and outbound loading both use. Scans
 * are taken one at a time, in order, each judged and recorded before the next; while an
 * error is on screen (until the operator acknowledges it, never by the scanner's Enter) the
 * rest wait. The items live in the store (the screen shows how many wait); this only runs them.
 */
export interface HeldQueueIo<T> {
  /** The scans waiting, oldest first, and how to replace them. */
  items(): readonly T[];
  setItems(items: T[]): void;
  /** True while an error waits for the operator. */
  blocked(): boolean;
  /** Judge and record one scan (never throws: a failure is shown as an error). */
  process(item: T): Promise<void>;
  /** After each scan (receiving stores what is held, to survive a reload). */
  afterEach?(): void;
}

export interface HeldQueue<T> {
  /** Adds a scan behind the others and starts the queue. */
  push(item: T): void;
  /** Starts (or restarts, after an acknowledgement) the queue. */
  kick(): void;
  /** Resolves once every scan that can be processed now has been. */
  settled(): Promise<void>;
}

export function createHeldQueue<T>(io: HeldQueueIo<T>): HeldQueue<T> {
  let draining: Promise<void> = Promise.resolve();
  let busy = false;
  /** Runs `first` (a scan nothing waited ahead of), then every scan waiting, until blocked. */
  const run = async (first?: T) => {
    try {
      if (first !== undefined) {
        await io.process(first);
        io.afterEach?.();
      }
      while (!io.blocked() && io.items().length > 0) {
        const [head, ...rest] = io.items();
        io.setItems(rest);
        if (head !== undefined) await io.process(head);
        io.afterEach?.();
      }
    } finally {
      busy = false;
    }
  };
  const drain = async () => {
    if (busy) return;
    busy = true;
    await run();
  };
  const kick = () => {
    draining = draining.then(drain, drain);
  };
  const settled = (): Promise<void> =>
    draining.then(() => (io.items().length > 0 && !io.blocked() ? settled() : undefined));
  return {
    push(item) {
      if (!busy && !io.blocked() && io.items().length === 0) {
        // Nothing ahead of it and nothing on screen to wait for: judged at once, never listed
        // as waiting (putting it in the store and taking it out again was two store updates,
        // each running every screen's selectors, on the path to every beep). Claimed now, so
        // a scan pushed meanwhile waits behind it.
        busy = true;
        const go = () => run(item);
        draining = draining.then(go, go);
        return;
      }
      io.setItems([...io.items(), item]);
      kick();
    },
    kick,
    settled,
  };
}
