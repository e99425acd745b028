import { mkdirSync } from "node:fs";
import type { MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import pino, { type Logger } from "pino";
import { createStream, type RotatingFileStream } from "rotating-file-stream";

export type { Logger };

/**
 * Central's log: structured JSON lines (pino) in `<CENTRAL_DATA_DIR>/logs/central.log`,
 * rotated at 10 MiB or daily with 10 files kept (rotating-file-stream), plus one line per
 * message on stdout. Every request gets an id (Hono's request-id middleware: the caller's
 * `X-Request-Id` when it is a plain token of letters, digits, `-`, `_`, `=`, else a new UUID), answered in `X-Request-Id` and
 * on its log line, so a dock's report of a failed push can be found in the log.
 */
const REDACT = ["token", "*.token", "secret", "*.secret", "authorization", "*.authorization", "password", "*.password"];

export interface CentralLogOptions {
  /** Folder of the log files; null logs to stdout only. */
  dir: string | null;
  level?: pino.Level;
  stdout?: boolean;
  /** The least level shown on stdout (default "info"; request lines are info): a person reads it, so plain lines. */
  stdoutLevel?: pino.Level;
  /** Rotate at this size (rotating-file-stream notation, default "10M"). */
  rotateAt?: string;
}

export function createCentralLog(options: CentralLogOptions): { logger: Logger; flush(): void } {
  const level = options.level ?? "info";
  const streams: pino.StreamEntry[] = [];
  let file: RotatingFileStream | null = null;
  if (options.dir !== null) {
    mkdirSync(options.dir, { recursive: true });
    file = createStream(
      (time: number | Date | null, index?: number) =>
        time === null || index === undefined ? "central.log" : `central.log.${index}`,
      { path: options.dir, size: options.rotateAt ?? "10M", interval: "1d", maxFiles: 10 },
    );
    streams.push({ level, stream: file });
  }
  if (options.stdout ?? true) streams.push({ level: options.stdoutLevel ?? level, stream: plainLines(process.stdout) });
  const logger = pino(
    {
      name: "central",
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: "[redacted]" },
    },
    pino.multistream(streams),
  );
  return { logger, flush: () => void file?.end() };
}

const LEVEL_WORDS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "",
  40: "WARNING ",
  50: "ERROR ",
  60: "FATAL ",
};

/**
 * stdout is read by a person starting central (npm start): one plain line a message, the
 * level named only when it is a warning or worse, any error's message after it. The file
 * keeps the JSON with every field.
 */
export function plainLines(out: { write(s: string): unknown }): { write(line: string): void } {
  return {
    write(line: string) {
      try {
        const o = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        const err = o.err?.message !== undefined ? `: ${o.err.message}` : "";
        out.write(`${LEVEL_WORDS[o.level ?? 30] ?? ""}${o.msg ?? ""}${err}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}

/** Quiet by default (tests build many apps): warnings and errors only, on stderr. */
let fallback: Logger | null = null;
export function fallbackCentralLogger(): Logger {
  fallback ??= pino({ name: "central", level: "warn", timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
  return fallback;
}

/**
 * The request id and one log line per request: method, path (never the query, which may
 * carry a cursor), status, duration; 5xx as errors. Use first: `app.use("*", ...requestLogging(logger))`.
 */
export function requestLogging(logger: Logger = fallbackCentralLogger()): MiddlewareHandler[] {
  const log: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const entry = {
      reqId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) logger.error(entry, `${c.req.method} ${c.req.path} ${status}`);
    else logger.info(entry, `${c.req.method} ${c.req.path} ${status}`);
  };
  return [requestId({ limitLength: 64 }), log];
}
