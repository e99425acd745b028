import { describe, expect, it } from "vitest";
import { requestPersistentStorage } from "./persistent-storage";

function storage(persisted: boolean, grants: boolean | Error) {
  const calls: string[] = [];
  return {
    calls,
    manager: {
      persisted: async () => (calls.push("persisted"), persisted),
      persist: async () => {
        calls.push("persist");
        if (grants instanceof Error) throw grants;
        return grants;
      },
    },
  };
}

describe("persistent storage for the dock's log", () => {
  it("asks once when not yet persistent, and reports what the browser granted", async () => {
    const granted = storage(false, true);
    expect(await requestPersistentStorage(granted.manager)).toBe("persistent");
    expect(granted.calls).toEqual(["persisted", "persist"]);
    expect(await requestPersistentStorage(storage(false, false).manager)).toBe("best-effort");
  });

  it("does not ask again when already persistent, and copes with no StorageManager or a refusal that throws", async () => {
    const already = storage(true, false);
    expect(await requestPersistentStorage(already.manager)).toBe("persistent");
    expect(already.calls).toEqual(["persisted"]);
    expect(await requestPersistentStorage(undefined)).toBe("unsupported");
    expect(await requestPersistentStorage(storage(false, new Error("SecurityError")).manager)).toBe("best-effort");
  });
});
