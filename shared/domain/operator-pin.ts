import { z } from "zod";

/**
 * Operator PINs (issue 20), the part both ends share: how a PIN is hashed and checked, and when
 * a dock lets someone try one. Central hashes a PIN when a DCC admin sets it at the desk; the
 * dock verifies it at sign-in (session-decision.ts) against the hash it pulled.
 *
 * The KDF is PBKDF2-HMAC-SHA256 through WebCrypto (`crypto.subtle`), which the renderer has in
 * both shells and Node has as a global: the same code hashes at central and verifies at the dock,
 * offline, without a bridge round trip or a Node built-in in the renderer. scrypt or Argon2 are
 * stronger against GPUs, but neither is in WebCrypto; 600,000 iterations is OWASP's figure for
 * PBKDF2-SHA256, and the lockout below, not the KDF, is what stops guessing at the dock. The KDF
 * protects the synced hashes if a dock's disk is read.
 */

export const PIN_ITERATIONS = 600_000;

/** A PIN is 4 to 12 digits. */
export const PinSchema = z.string().regex(/^[0-9]{4,12}$/, "a PIN is 4 to 12 digits");

export const PinHashSchema = z.strictObject({
  alg: z.literal("pbkdf2-sha256"),
  iterations: z.number().int().min(100_000).max(10_000_000),
  /** base64, 16 bytes. */
  salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/, "salt is 16 bytes of base64"),
  /** base64, 32 bytes. */
  hash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "hash is 32 bytes of base64"),
});
export type PinHash = z.infer<typeof PinHashSchema>;

/**
 * The WebCrypto globals this module uses, typed here because shared/ is compiled with neither the
 * DOM nor Node's types; both the renderer's Chromium and Node 20+ provide them.
 */
interface WebGlobals {
  crypto: {
    getRandomValues(array: Uint8Array): Uint8Array;
    subtle: {
      importKey(
        format: "raw",
        key: Uint8Array,
        algorithm: "PBKDF2",
        extractable: false,
        usages: ["deriveBits"],
      ): Promise<unknown>;
      deriveBits(
        algorithm: { name: "PBKDF2"; hash: "SHA-256"; salt: Uint8Array; iterations: number },
        key: unknown,
        length: number,
      ): Promise<ArrayBuffer>;
    };
  };
  btoa(text: string): string;
  atob(text: string): string;
  TextEncoder: new () => { encode(text: string): Uint8Array };
}
const web = globalThis as unknown as WebGlobals;

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return web.btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(web.atob(text), (c: string) => c.charCodeAt(0));
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await web.crypto.subtle.importKey("raw", new web.TextEncoder().encode(pin), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await web.crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Hashes a PIN with a fresh random salt (central, when a DCC admin sets or resets it). */
export async function hashPin(pin: string, iterations = PIN_ITERATIONS): Promise<PinHash> {
  const checked = PinSchema.parse(pin);
  const salt = web.crypto.getRandomValues(new Uint8Array(16));
  return {
    alg: "pbkdf2-sha256",
    iterations,
    salt: toBase64(salt),
    hash: toBase64(await derive(checked, salt, iterations)),
  };
}

/** Whether `pin` matches; a malformed PIN or hash is simply no match. Compares every byte (no early exit). */
export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  if (!PinSchema.safeParse(pin).success || !PinHashSchema.safeParse(stored).success) return false;
  const expected = fromBase64(stored.hash);
  const actual = await derive(pin, fromBase64(stored.salt), stored.iterations);
  let diff = expected.length ^ actual.length;
  for (let i = 0; i < expected.length; i++) diff |= (expected[i] ?? 0) ^ (actual[i] ?? 0);
  return diff === 0;
}

/** How many wrong PINs in a row lock an operator out at a dock, and for how long (doubling per lockout, capped). */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
  maxLockMs: number;
}
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 5 * 60_000, maxLockMs: 60 * 60_000 };

/** What a dock keeps (persisted) per operator ID between attempts. */
export interface PinAttempts {
  failures: number;
  lockouts: number;
  lockedUntil: number | null;
}
export const NO_ATTEMPTS: PinAttempts = { failures: 0, lockouts: 0, lockedUntil: null };

export type SignInGate = { ok: true } | { ok: false; reason: string };

/**
 * Whether a dock may check a PIN for this operator now. A dock that has never pulled its
 * operators from central has no PINs to check against and says so, instead of admitting anyone.
 */
export function mayTryPin(o: { operatorsSyncedAt: number | null; attempts: PinAttempts; now: number }): SignInGate {
  if (o.operatorsSyncedAt === null)
    return {
      ok: false,
      reason:
        "this dock has not received its operators from central yet; connect it to the network and wait for a sync",
    };
  if (o.attempts.lockedUntil !== null && o.now < o.attempts.lockedUntil) {
    const minutes = Math.ceil((o.attempts.lockedUntil - o.now) / 60_000);
    return {
      ok: false,
      reason: `too many wrong PINs: try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask a DCC admin to reset the PIN`,
    };
  }
  return { ok: true };
}

/** The attempts after one try: a right PIN clears them; the n-th wrong one in a row locks, each lockout twice as long. */
export function afterPinAttempt(
  attempts: PinAttempts,
  correct: boolean,
  now: number,
  policy: LockoutPolicy = DEFAULT_LOCKOUT,
): PinAttempts {
  if (correct) return NO_ATTEMPTS;
  const failures = attempts.failures + 1;
  if (failures < policy.maxFailures) return { ...attempts, failures, lockedUntil: null };
  const lockMs = Math.min(policy.maxLockMs, policy.lockMs * 2 ** Math.min(attempts.lockouts, 20));
  return { failures: 0, lockouts: attempts.lockouts + 1, lockedUntil: now + lockMs };
}
