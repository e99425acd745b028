import { mkdirSync } from "node:fs";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { createStream, type RotatingFileStream } from "rotating-file-stream";

export type { Logger };

/**
 * The host's log: structured JSON lines (pino) in `<dir>/<name>.log`, rotated at 10 MiB or
 * daily to `<name>.log.1`, `.2`… with the last 10 files kept (rotating-file-stream, a plain
 * stream on the main thread: no pino transport worker, so it survives being bundled into
 * Electron's main.js), and the message alone on stdout for the person who started it. Secrets are redacted. `DOCK_HOST_READY` is not a log line: the
 * browser shell writes it to stdout itself.
 */
export interface HostLogOptions {
  /** Folder of the log files; null logs to stdout only (tests, the import helper). */
  dir: string | null;
  name: string;
  level?: pino.Level;
  /** Also print each message on stdout (default true). */
  stdout?: boolean;
  /** Rotate when the file reaches this size (rotating-file-stream notation, default "10M"). */
  rotateAt?: string;
}

export interface HostLog {
  logger: Logger;
  /** Where the files are, or null. */
  dir: string | null;
  /** Writes what is buffered; call before exit. */
  flush(): void;
}

const REDACT = [
  "token",
  "centralToken",
  "*.token",
  "*.centralToken",
  "secret",
  "*.secret",
  "headers.authorization",
  "headers.cookie",
];

export async function createHostLog(options: HostLogOptions): Promise<HostLog> {
  const level = options.level ?? "info";
  const streams: pino.StreamEntry[] = [];
  let file: RotatingFileStream | null = null;
  if (options.dir !== null) {
    mkdirSync(options.dir, { recursive: true });
    const base = `${options.name}.log`;
    file = createStream(
      (time: number | Date | null, index?: number) =>
        time === null || index === undefined ? base : `${base}.${index}`,
      { path: options.dir, size: options.rotateAt ?? "10M", interval: "1d", maxFiles: 10 },
    );
    streams.push({ level, stream: file });
  }
  if (options.stdout ?? true) streams.push({ level, stream: humanLines(process.stdout) });
  const logger = pino(
    {
      name: options.name,
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: "[redacted]" },
    },
    pino.multistream(streams),
  );
  return {
    logger,
    dir: options.dir,
    flush() {
      // rotating-file-stream writes as it goes; ending it writes what is queued.
      file?.end();
    },
  };
}

/**
 * One line a message on stdout ("warn: jig station: …"): the JSON stays in the file. Hand
 * written rather than pino-pretty, whose colour and template machinery (and its dozen
 * dependencies) an installed dock does not need for a console nobody watches.
 */
function humanLines(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      let line: string;
      try {
        const entry = JSON.parse(chunk.toString("utf8")) as {
          level?: number;
          msg?: string;
          err?: { message?: string };
        };
        const label =
          entry.level !== undefined && entry.level >= 40 ? `${pino.levels.labels[entry.level] ?? "error"}: ` : "";
        line = `${label}${entry.msg ?? ""}${entry.err?.message !== undefined && !(entry.msg ?? "").includes(entry.err.message) ? ` (${entry.err.message})` : ""}`;
      } catch {
        line = chunk.toString("utf8").trimEnd();
      }
      out.write(`${line}\n`);
      done();
    },
  });
}

/** A log for code that takes a `(message) => void`: info lines. */
export function logLine(logger: Logger): (message: string) => void {
  return (message) => logger.info(message);
}

let fallback: Logger | null = null;
/** For code run without a configured log (tests, helpers): warnings and errors as JSON on stderr. */
export function fallbackLogger(): Logger {
  fallback ??= pino(
    { level: "warn", timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: "[redacted]" } },
    pino.destination(2),
  );
  return fallback;
}
