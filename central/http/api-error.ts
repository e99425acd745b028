import type { z } from "zod";
import type { ErrorBody } from "../../shared/sync";

/** A refusal with an HTTP status and a reason a person can act on; the app turns it into an ErrorBody. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly code: string,
    readonly reason: string,
    readonly issues?: ErrorBody["issues"],
    /** Headers the answer carries (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${reason}`);
    this.name = "ApiError";
  }

  body(): ErrorBody {
    return this.issues === undefined
      ? { error: this.code, reason: this.reason }
      : { error: this.code, reason: this.reason, issues: this.issues };
  }
}

/** zod issues as path + message pairs, and one line joining them. */
export function describeIssues(error: z.ZodError): { reason: string; issues: NonNullable<ErrorBody["issues"]> } {
  const issues = error.issues.slice(0, 50).map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join(".") : "(body)",
    message:
      i.code === "unrecognized_keys"
        ? `unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
        : i.message,
  }));
  return { reason: issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues };
}
