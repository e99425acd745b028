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
  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
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
  const kick = () => {
    draining = draining.then(drain, drain);
  };
  const settled = (): Promise<void> =>
    draining.then(() => (io.items().length > 0 && !io.blocked() ? settled() : undefined));
  return {
    push(item) {
      io.setItems([...io.items(), item]);
      kick();
    },
    kick,
    settled,
  };
}
