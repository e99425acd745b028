import { describe, expect, it } from "vitest";
import { DEMO_OPERATORS } from "./demo-world";
import { verifyPin } from "../shared/domain/operator-pin";

describe("the demo operators' PINs", () => {
  it("each precomputed hash is the hash of the PIN npm start prints, and of no other operator's PIN", async () => {
    for (const o of DEMO_OPERATORS) {
      expect(await verifyPin(o.pin, o.pinHash), o.id).toBe(true);
      const other = DEMO_OPERATORS.find((x) => x.pin !== o.pin);
      expect(await verifyPin(other!.pin, o.pinHash), o.id).toBe(false);
    }
  });

  it("no two demo operators share a salt", () => {
    const salts = DEMO_OPERATORS.map((o) => o.pinHash.salt);
    expect(new Set(salts).size).toBe(salts.length);
  });
});
