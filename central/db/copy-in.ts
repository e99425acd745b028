import pg from "pg";

/**
 * Bulk loading with COPY … FROM STDIN through Kysely, which only passes (sql, parameters) to a
 * driver. A query whose text is exactly `copy <table> (<columns>) from stdin` with one parameter
 * holding the rows (text format, one line a row) is taken as "COPY these rows": the PostgreSQL
 * client below streams the parameter as the COPY data, the PGlite dialect hands it over as a
 * blob. The rows are a string, or a `CopyRows` the caller fills while the statement runs: the
 * server then stores the first rows while the caller is still preparing the next ones.
 * COPY is PostgreSQL's cheapest way in (rows go to the heap in bulk, nothing to plan), about
 * half the server time of an INSERT … SELECT of the same rows. It has no ON CONFLICT: a row
 * that breaks a unique key fails the statement (and the transaction), so callers use it only
 * when they expect no conflict and retry the careful way when one happens.
 *
 * While a COPY runs its connection takes nothing else: a caller streaming `CopyRows` must end
 * (or fail) them before it sends another statement in the same transaction.
 *
 * Why hand-written: the usual library (pg-copy-streams) is not a dependency here, and the
 * protocol part is a dozen lines over node-postgres' documented custom-query interface.
 */

/**
 * Rows for a COPY, supplied piece by piece (each piece whole lines) while the statement runs.
 * `end()` completes the COPY; `fail()` aborts it (the statement then fails with that reason).
 */
export class CopyRows implements AsyncIterable<string> {
  private readonly queue: string[] = [];
  private state: "open" | "ended" | "failed" = "open";
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  /** Queues whole lines; ignored once ended or failed. */
  push(lines: string): void {
    if (this.state !== "open" || lines === "") return;
    this.queue.push(lines);
    this.notify();
  }

  end(): void {
    if (this.state !== "open") return;
    this.state = "ended";
    this.notify();
  }

  fail(reason: unknown): void {
    if (this.state !== "open") return;
    this.state = "failed";
    this.failure = reason;
    this.notify();
  }

  /** True once ended or failed: pushing more does nothing (after a failure, the COPY has failed). */
  get closed(): boolean {
    return this.state !== "open";
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.state === "failed") throw this.failure;
      if (this.state === "ended") return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

/** The rows of a COPY: all of them at once, or streamed. */
export type CopyData = string | CopyRows;

const COPY_FROM_STDIN = /^copy [a-z_][a-z0-9_]* \([a-z0-9_, ]+\) from stdin$/;

/** Whether a compiled query is a COPY of rows given as its one parameter. */
export function isCopyFromStdin(text: string, parameters: readonly unknown[]): parameters is readonly [CopyData] {
  return (
    parameters.length === 1 &&
    (typeof parameters[0] === "string" || parameters[0] instanceof CopyRows) &&
    COPY_FROM_STDIN.test(text)
  );
}

/** All the rows of a COPY as one list of pieces (PGlite takes them as one blob). */
export async function copyDataPieces(data: CopyData): Promise<string[]> {
  if (typeof data === "string") return [data];
  const pieces: string[] = [];
  for await (const piece of data) pieces.push(piece);
  return pieces;
}

/** The SQL a caller sends (with the rows as the one parameter) to COPY rows into a table. */
export function copyFromStdinSql(table: string, columns: readonly string[]): string {
  const text = `copy ${table} (${columns.join(", ")}) from stdin`;
  if (!COPY_FROM_STDIN.test(text)) throw new Error(`not a plain table and column list: ${text}`);
  return text;
}

/** A value for a COPY text-format line: backslash, tab and line breaks escaped, null as \N. */
export function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"))
    : value;
}

/**
 * copyField for text JSON.stringify wrote: it holds no raw tab or line break (JSON escapes every
 * control character), so only backslashes need doubling, and a plain search finds them sooner.
 */
export function copyJsonField(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

/** node-postgres custom query (a "submittable") that runs COPY … FROM STDIN with the given data. */
class CopyFromStdin {
  private error: unknown = null;
  private rowCount = 0;
  readonly done: Promise<{ command: string; rowCount: number; rows: never[] }>;
  private settle!: {
    resolve: (r: { command: string; rowCount: number; rows: never[] }) => void;
    reject: (e: unknown) => void;
  };
  constructor(
    private readonly text: string,
    private readonly data: CopyData,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }
  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: CopyConnection): void {
    const data = this.data;
    if (typeof data === "string") {
      connection.sendCopyFromChunk(Buffer.from(data, "utf8"));
      connection.endCopyFrom();
      return;
    }
    void this.pump(connection, data);
  }
  /** Sends the rows as they come; stops at the first error (the server drops whatever follows one). */
  private async pump(connection: CopyConnection, rows: CopyRows): Promise<void> {
    try {
      for await (const piece of rows) {
        if (this.error !== null) return;
        connection.sendCopyFromChunk(Buffer.from(piece, "utf8"));
      }
      if (this.error === null) connection.endCopyFrom();
    } catch (e) {
      if (this.error === null) connection.sendCopyFail(e instanceof Error ? e.message : String(e));
    }
  }
  handleCommandComplete(msg: { text?: string }): void {
    const n = Number(/(\d+)$/.exec(msg.text ?? "")?.[1] ?? "0");
    this.rowCount = n;
  }
  // pg forgets the active query on an error, so ReadyForQuery never reaches it: settle now.
  handleError(err: unknown): void {
    if (this.error !== null) return;
    this.error = err;
    this.settle.reject(err);
    // A streaming caller is told too, so it stops preparing rows nobody will take.
    if (this.data instanceof CopyRows) this.data.fail(err);
  }
  handleReadyForQuery(): void {
    if (this.error === null) this.settle.resolve({ command: "COPY", rowCount: this.rowCount, rows: [] });
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** A node-postgres client that also understands the COPY convention above; used as the pool's Client. */
export class CopyAwareClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // Wrapped per instance rather than overridden: pg's query() is a family of overloads.
    const plain = this.query.bind(this) as (...args: unknown[]) => unknown;
    (this as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (args.length === 2 && typeof text === "string" && Array.isArray(values) && isCopyFromStdin(text, values)) {
        const q = new CopyFromStdin(text, values[0]);
        plain(q);
        return q.done;
      }
      return plain(...args);
    };
  }
}
