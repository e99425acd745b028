import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterPinAttempt,
  DEFAULT_LOCKOUT,
  hashPin,
  mayTryPin,
  NO_ATTEMPTS,
  PinHashSchema,
  verifyPin,
  type PinAttempts,
} from "./operator-pin";

// Few iterations keep the property runs fast; the default (600,000) is checked once below.
const FAST = 100_000;
const pin = fc.stringMatching(/^[0-9]{4,12}$/);

describe("operator PIN hashing (PBKDF2-SHA256 via WebCrypto)", () => {
  it("verifies the PIN it hashed and no other, with a fresh salt each time", async () => {
    await fc.assert(
      fc.asyncProperty(pin, pin, async (right, other) => {
        const stored = await hashPin(right, FAST);
        expect(PinHashSchema.parse(stored)).toEqual(stored);
        expect(await verifyPin(right, stored)).toBe(true);
        expect(await verifyPin(other, stored)).toBe(other === right);
      }),
      { numRuns: 8 },
    );
    const a = await hashPin("1234", FAST);
    const b = await hashPin("1234", FAST);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  }, 60_000);

  it("refuses to hash a malformed PIN, and a malformed PIN or hash never matches", async () => {
    await expect(hashPin("12a4", FAST)).rejects.toThrow(/4 to 12 digits/);
    const stored = await hashPin("123456", FAST);
    expect(await verifyPin("12345", { ...stored, hash: stored.hash.slice(1) })).toBe(false);
    expect(await verifyPin("", stored)).toBe(false);
    expect(await verifyPin("123456", { ...stored, iterations: 1 })).toBe(false);
  });

  it("uses 600,000 iterations by default", async () => {
    const stored = await hashPin("2468");
    expect(stored.iterations).toBe(600_000);
    expect(await verifyPin("2468", stored)).toBe(true);
  }, 30_000);
});

describe("PIN lockout at the dock", () => {
  it("a dock that never synced refuses everyone and says why", () => {
    expect(mayTryPin({ operatorsSyncedAt: null, attempts: NO_ATTEMPTS, now: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/has not received its operators from central yet/),
    });
  });

  it("never lets more than maxFailures wrong PINs in a row through before a lock, and a lock holds until it ends", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ correct: fc.boolean(), gap: fc.integer({ min: 0, max: 2 * 60 * 60_000 }) }), {
          maxLength: 60,
        }),
        (tries) => {
          let state: PinAttempts = NO_ATTEMPTS;
          let now = 1_000_000;
          let wrongInRowSinceUnlock = 0;
          for (const t of tries) {
            now += t.gap;
            const gate = mayTryPin({ operatorsSyncedAt: 1, attempts: state, now });
            if (!gate.ok) {
              expect(state.lockedUntil).not.toBeNull();
              expect(now).toBeLessThan(state.lockedUntil ?? 0);
              expect(gate.reason).toMatch(/too many wrong PINs/);
              continue;
            }
            state = afterPinAttempt(state, t.correct, now);
            wrongInRowSinceUnlock = t.correct ? 0 : wrongInRowSinceUnlock + 1;
            expect(wrongInRowSinceUnlock).toBeLessThanOrEqual(DEFAULT_LOCKOUT.maxFailures);
            if (wrongInRowSinceUnlock === DEFAULT_LOCKOUT.maxFailures) {
              expect(state.lockedUntil).toBeGreaterThan(now);
              expect((state.lockedUntil ?? 0) - now).toBeLessThanOrEqual(DEFAULT_LOCKOUT.maxLockMs);
              wrongInRowSinceUnlock = 0;
            }
            if (t.correct) expect(state).toEqual(NO_ATTEMPTS);
          }
        },
      ),
    );
  });

  it("doubles each lockout up to the cap", () => {
    let state: PinAttempts = NO_ATTEMPTS;
    const lengths: number[] = [];
    for (let i = 0; i < 6 * DEFAULT_LOCKOUT.maxFailures; i++) {
      state = afterPinAttempt(state, false, 0);
      if (state.lockedUntil !== null) lengths.push(state.lockedUntil / 60_000);
    }
    expect(lengths).toEqual([5, 10, 20, 40, 60, 60]);
  });
});
