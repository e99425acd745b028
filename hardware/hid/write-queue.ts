/**
 * Serialises writes to one device. hidapi is not safe for concurrent writes on one
 * handle, and a jig must see frames in the order the driver produced them, so every
 * transport funnels its writes through one of these.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; a failed task does not block later ones. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
