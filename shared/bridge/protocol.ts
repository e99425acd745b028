import { z } from "zod";
import { BRIDGE_PROTOCOL_VERSION, BridgeErrorBodySchema, describeZodError, type BridgeErrorBody } from "./channels";

/**
 * The frames the bridge travels in over a byte stream (the browser shell's WebSocket).
 * Electron does not need them: ipcMain already frames requests and answers.
 *
 * Client → host: `hello` (must be first: carries the per-launch secret), then `request`s.
 * Host → client: `welcome` (the secret was right), `response` per request id, `event`s,
 * and `error` for a frame that could not be tied to a request id.
 */

/** The per-launch secret: 32 random bytes, hex. */
export const BridgeSecretSchema = z.string().regex(/^[0-9a-f]{64}$/, "secret is 64 lower-case hex digits");

/** WebSocket close codes the host uses when it refuses a connection (4000-4999 are the application's). */
export const BRIDGE_CLOSE = {
  /** The first frame was not a hello, or not one we can read. */
  expectedHello: 4400,
  /** The hello carried the wrong secret. */
  badSecret: 4401,
  /** The hello spoke another protocol version. */
  badProtocol: 4426,
  /** No hello arrived in time. */
  helloTimeout: 4408,
  /** The host is shutting down. */
  shuttingDown: 1001,
} as const;

const RequestIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const ChannelNameSchema = z.string().min(1).max(64);

export const HelloFrameSchema = z.strictObject({
  type: z.literal("hello"),
  protocol: z.number().int(),
  secret: z.string().max(256),
});
export const RequestFrameSchema = z.strictObject({
  type: z.literal("request"),
  id: RequestIdSchema,
  channel: ChannelNameSchema,
  args: z.unknown(),
});
export const ClientFrameSchema = z.discriminatedUnion("type", [HelloFrameSchema, RequestFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const WelcomeFrameSchema = z.strictObject({
  type: z.literal("welcome"),
  protocol: z.literal(BRIDGE_PROTOCOL_VERSION),
});
export const ResponseFrameSchema = z.union([
  z.strictObject({ type: z.literal("response"), id: RequestIdSchema, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    type: z.literal("response"),
    id: RequestIdSchema,
    ok: z.literal(false),
    error: BridgeErrorBodySchema,
  }),
]);
export const EventFrameSchema = z.strictObject({
  type: z.literal("event"),
  event: ChannelNameSchema,
  payload: z.unknown(),
});
export const ErrorFrameSchema = z.strictObject({ type: z.literal("error"), error: BridgeErrorBodySchema });
export const HostFrameSchema = z.union([WelcomeFrameSchema, ResponseFrameSchema, EventFrameSchema, ErrorFrameSchema]);
export type HostFrame = z.infer<typeof HostFrameSchema>;

export type FrameParse<T> = { ok: true; frame: T } | { ok: false; error: BridgeErrorBody; requestId: number | null };

/** Largest frame either end accepts, in characters (a scan is at most a few KiB; a journal page a few hundred KiB). */
export const MAX_FRAME_CHARS = 1024 * 1024;

function parseFrame<T>(text: string, schema: z.ZodType<T>): FrameParse<T> {
  if (text.length > MAX_FRAME_CHARS) {
    return {
      ok: false,
      requestId: null,
      error: {
        code: "bad-request",
        message: `bad-request: frame of ${text.length} characters exceeds ${MAX_FRAME_CHARS}`,
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, requestId: null, error: { code: "bad-request", message: "bad-request: frame is not JSON" } };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  // Answer on the request's own id when it has a readable one, so the caller's promise settles.
  const id = RequestIdSchema.safeParse((json as { id?: unknown } | null)?.id);
  return {
    ok: false,
    requestId: id.success ? id.data : null,
    error: {
      code: "bad-request",
      message: `bad-request: malformed frame (${describeZodError(parsed.error)})`.slice(0, 2000),
    },
  };
}

/** Parses a frame a client sent; never throws. */
export function parseClientFrame(text: string): FrameParse<ClientFrame> {
  return parseFrame(text, ClientFrameSchema);
}

/** Parses a frame the host sent; never throws. */
export function parseHostFrame(text: string): FrameParse<HostFrame> {
  return parseFrame(text, HostFrameSchema);
}

/** Serialises a frame (both directions). */
export function encodeFrame(frame: ClientFrame | HostFrame): string {
  return JSON.stringify(frame);
}
