import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, describeIssues } from "./api-error";

/**
 * Reads and validates a JSON body: wrong content type -> 415, malformed JSON -> 400 with the
 * parser's words, schema breach (wrong types, unknown fields) -> 400 with every issue.
 * The size limit is enforced before this by the body-limit middleware (413).
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return parseJsonBody(await readBodyText(c), schema);
}

function requireJsonType(c: Context): void {
  const type = c.req.header("content-type") ?? "";
  // application/json, optionally with parameters (charset): not application/json-patch+json and the like.
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new ApiError(
      415,
      "unsupported-media-type",
      `send the body as application/json (got ${type === "" ? "no content type" : JSON.stringify(type)})`,
    );
}

/** The body as text, once its content type is JSON (415 otherwise). */
export async function readBodyText(c: Context): Promise<string> {
  requireJsonType(c);
  return c.req.text();
}

/** The body as bytes, once its content type is JSON (415 otherwise); for routes that look at the bytes first. */
export async function readBodyBytes(c: Context): Promise<Uint8Array> {
  requireJsonType(c);
  return new Uint8Array(await c.req.arrayBuffer());
}

const utf8 = new TextDecoder();

/** Body bytes as text, decoded as Request.text() does (UTF-8, a leading byte order mark dropped). */
export function bodyText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Parses body text as JSON (400 with the parser's words) and validates it (400 with every issue). */
export function parseJsonBody<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      400,
      "malformed-json",
      `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return parseOrThrow(schema, raw);
}

/** Validates a value (a body, a query string) or throws a 400 naming every issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, what = "invalid-body"): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { reason, issues } = describeIssues(parsed.error);
    throw new ApiError(400, what, reason, issues);
  }
  return parsed.data;
}
