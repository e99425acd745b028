/**
 * The dock's IndexedDB log holds scans not yet at central: the browser must never evict it
 * to free space. `navigator.storage.persist()` asks for that (Electron grants it; Chromium
 * grants it to a site it considers important, e.g. bookmarked or installed). Without it the
 * data is "best effort": kept unless the disk runs short, so the dock says so once.
 */
export type StoragePersistence = "persistent" | "best-effort" | "unsupported";

export async function requestPersistentStorage(
  storage: Pick<StorageManager, "persist" | "persisted"> | undefined,
): Promise<StoragePersistence> {
  if (storage === undefined || typeof storage.persist !== "function") return "unsupported";
  try {
    if (await storage.persisted()) return "persistent";
    return (await storage.persist()) ? "persistent" : "best-effort";
  } catch {
    return "best-effort";
  }
}
