/**
 * What the jig service does after a failed attempt: try again on the same slot with the
 * same hub, or give up and report the fault. Kept apart from the service so a site can
 * tune it, and so the rules are readable in one place.
 */
import type { FlashStep } from "../../shared/events";

/** Why an attempt failed, in the service's words. */
export type FailureCode =
  | "identity-mismatch"
  | "model-mismatch"
  | "hub-removed"
  | "refused"
  | "timeout"
  | "disconnected"
  | "protocol"
  | "verify-mismatch"
  | "version-mismatch"
  | "target-changed";

export interface AttemptFailure {
  step: FlashStep;
  code: FailureCode;
  /** The jig's own words (its status and message), or null when it said nothing. */
  jigSaid: string | null;
  detail: string;
}

export interface RetryPolicy {
  /** Attempts per load, the first included. */
  maxAttempts: number;
  /** Whether another attempt may help. */
  retryable(failure: AttemptFailure): boolean;
  /** A failure that is not the hub's fault (wrong hub, wrong model) gets no Fault Analysis Report. */
  isHubFault(failure: AttemptFailure): boolean;
  /** True when the hub never answered, so a person must fill in a manual report. */
  needsManualReport(failure: AttemptFailure): boolean;
  /** credit a hub left intact, scrap one whose firmware may be damaged. */
  disposition(failure: AttemptFailure): "credit" | "scrap";
}

const WRITE_STEPS: readonly FlashStep[] = ["begin-image", "image-chunk", "commit", "verify", "read-back"];

/** The default policy: three attempts for transient faults, none for a wrong hub. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  retryable: (f) => !["identity-mismatch", "model-mismatch", "hub-removed", "target-changed"].includes(f.code),
  isHubFault: (f) => !["identity-mismatch", "model-mismatch", "hub-removed", "target-changed"].includes(f.code),
  needsManualReport: (f) => f.step === "read-identity" && (f.code === "timeout" || f.code === "protocol"),
  disposition: (f) => (WRITE_STEPS.includes(f.step) ? "scrap" : "credit"),
};
