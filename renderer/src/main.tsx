import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { DEFAULT_PACKING_LIMITS } from "../../shared/domain/booking";
import { demoBookings, demoSiteFor } from "../../shared/domain/demo-booking";
import type { DockBridge, HostInfo } from "../../shared/bridge/channels";
import { getDockBridge } from "../bridge/dock-bridge";
import { App } from "./app/app";
import { resolveBootConfig } from "./app/boot-config";
import { needsEnrolment } from "./app/enrolment";
import { EnrolmentScreen } from "./app/enrolment-screen";
import { requestPersistentStorage } from "./app/persistent-storage";
import { routeScan, routeWedgeScan } from "./scanning/scan-router";
import { StoreContext } from "./store/store-context";
import { openDockDb } from "./db/dock-db";
import { putCachedBookings } from "./db/dock-records";
import { startHidPosInbox } from "./scanning/hid-pos-inbox";
import { createVerdictSound } from "./scanning/verdict-sound";
import { listenForWedgeScans } from "./scanning/wedge-listener";
import { createDockStore, type DockStore } from "./store/dock-store";
import { ACTIVE_RECEIPT, CLOCK_OFFSET, readMeta, SYNC_TOKEN, writeMeta } from "./db/dock-meta";
import { SyncClient } from "./sync/sync-client";
import { postToCentral } from "./sync/central-request";
import { AsnBlockKeeper } from "./sync/asn-block";
import { localUnsentWatchStore } from "./shell/unsent-watch-store";
import "./styles.css";

/** Waits for the host bridge, but never blocks the dock: without a host it runs without hardware. */
async function connectHost(): Promise<{ bridge: DockBridge | null; info: HostInfo | null }> {
  try {
    const bridge = await Promise.race([
      getDockBridge(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no host answered")), 4000)),
    ]);
    return { bridge, info: await bridge.invoke("host.info", {}) };
  } catch (e) {
    console.warn(`running without a host bridge: ${e instanceof Error ? e.message : String(e)}`);
    return { bridge: null, info: null };
  }
}

/** The page's localStorage, or null where the browser refuses it (a SecurityError on access). */
function pageStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

async function boot(): Promise<void> {
  const { bridge, info } = await connectHost();
  // First start of a dock with no credential: enrol it with a code from the DCC desk, then start afresh.
  if (bridge !== null && info !== null && needsEnrolment(info, window.location.search)) {
    const root = document.getElementById("root");
    if (root === null) throw new Error("index.html has no #root");
    createRoot(root).render(
      <StrictMode>
        <EnrolmentScreen
          bridge={bridge}
          centralUrl={info.centralUrl}
          dockId={info.dockId}
          onEnrolled={() => setTimeout(() => window.location.reload(), 1500)}
        />
      </StrictMode>,
    );
    return;
  }
  let store: DockStore | null = null;
  const db = openDockDb((message) => store?.getState().block(message));
  void requestPersistentStorage(navigator.storage).then(
    (s) =>
      s !== "persistent" &&
      console.warn(`storage is ${s}: the browser may evict the dock's log when the disk runs short`),
  );
  const stored = await readMeta(db, SYNC_TOKEN);
  const config = resolveBootConfig(window.location.search, info, typeof stored === "string" ? stored : null);
  if (new URLSearchParams(window.location.search).get("demo") === "1") {
    // Offline demo (no central): two small bookings for today, and a site that serves them.
    const today = new Date().toISOString().slice(0, 10);
    const demo = demoBookings(2, {
      csp: "North",
      pallets: 2,
      cartonsPerPallet: 2,
      hubsPerCarton: 4,
      deliveryDate: today,
    });
    if ((await db.bookings.count()) === 0) await putCachedBookings(db, demo, Date.now());
    if (demo[0]) config.site = demoSiteFor(demo[0], false);
  }
  if (config.token !== null && config.token !== stored) await writeMeta(db, SYNC_TOKEN, config.token);
  const lastOffset = await readMeta(db, CLOCK_OFFSET);
  const sound = createVerdictSound();

  let sync: SyncClient | null = null;
  // ASN numbers come from central only: a small block reserved ahead and kept in the dock's database (issue 17).
  const asnNumbers = new AsnBlockKeeper(db, {
    target: { baseUrl: config.centralUrl, token: config.token, fetch: (input, init) => window.fetch(input, init) },
  });
  const topUpAsnNumbers = () => {
    const op = store?.getState().operator;
    if (op?.role === "supervisor") asnNumbers.topUp(op.operatorId).catch(() => undefined);
  };
  const theStore = createDockStore({
    db,
    dockId: config.dockId,
    site: config.site,
    limits: DEFAULT_PACKING_LIMITS,
    now: Date.now,
    sound,
    clockOffsetMs: () => sync?.getHealth().clockOffsetMs ?? (typeof lastOffset === "number" ? lastOffset : null),
    onRecorded: (events) => sync?.recorded(events),
    askCentral: (path, body) =>
      postToCentral(
        { baseUrl: config.centralUrl, token: config.token, fetch: (input, init) => window.fetch(input, init) },
        path,
        body,
      ),
    asnNumbers,
    unsentAlarmMs: config.unsentAlarmMs,
    unsentWatchStore: localUnsentWatchStore(pageStorage()),
  });
  store = theStore;
  let bookingsStale = false;
  const bookingsInView = (st: ReturnType<typeof theStore.getState>) => st.screen === "bookings" && st.operator !== null;
  sync = new SyncClient(db, {
    baseUrl: config.centralUrl,
    token: config.token,
    fetch: (input, init) => window.fetch(input, init),
    // A dock retries at least every 15 s: the operator should not wait a minute after the WAN is back.
    maxDelayMs: 15_000,
    // Central pokes on a booking change for this facility: pulled at once, the 5 s poll stays.
    pokePath: "/sync/poke",
    onHealth: (h) => {
      const s = theStore.getState();
      s.setSyncHealth(h);
      // While central answers and a supervisor is signed in, keep the ASN block topped up (a no-op when it is full).
      if (h.online && h.lastError === null) topUpAsnNumbers();
      if (s.receipt !== null && h.conflicts.includes(s.receipt.bookingRef)) void s.refreshReceipt();
    },
    // Reading the cached bookings' list back (summaries and hub columns, v5) is done when a
    // round stored some and the list is on screen; otherwise when the list next comes into
    // view (after sign-in, or leaving a receipt), never in the middle of scanning.
    onBookingsStored: () => {
      if (bookingsInView(theStore.getState())) void theStore.getState().loadBookings();
      else bookingsStale = true;
    },
    // New or changed operators (or the first pull): the sign-in screen reads them again.
    onOperatorsStored: () => {
      if (theStore.getState().operator === null) void theStore.getState().loadSignInDirectory();
    },
  });
  theStore.subscribe((now, before) => {
    if (now.operator !== before.operator) topUpAsnNumbers();
    if (bookingsStale && bookingsInView(now) && !bookingsInView(before)) {
      bookingsStale = false;
      void now.loadBookings();
    }
  });

  const s = theStore.getState();
  await Promise.all([s.restoreSession(), s.loadScannerSettings(), s.loadBookings()]);
  const active = await readMeta(db, ACTIVE_RECEIPT);
  if (typeof active === "string" && theStore.getState().operator !== null) await s.openReceipt(active);
  s.setBrowserOnline(navigator.onLine);
  window.addEventListener("online", () => {
    theStore.getState().setBrowserOnline(true);
    sync?.kick();
  });
  window.addEventListener("offline", () => theStore.getState().setBrowserOnline(false));

  const wedge = listenForWedgeScans(window, theStore.getState().wedgeConfig, (scan) => routeWedgeScan(theStore, scan));
  theStore.subscribe((now, before) => {
    if (now.wedgeConfig !== before.wedgeConfig || now.wedgeOverride !== before.wedgeOverride)
      wedge.configure(now.wedgeOverride ?? now.wedgeConfig);
  });
  // Browsers keep audio suspended until a gesture. Creating the AudioContext takes long
  // enough to stretch a scanner burst's key gaps, so it is done on a pointer press (or a
  // form key press), never inside the first keys of a scan.
  window.addEventListener("pointerdown", () => sound.unlock(), { capture: true });
  window.addEventListener("keydown", (e) => e.target instanceof HTMLInputElement && sound.unlock(), { capture: true });
  // HID-POS reads: held by the host until stored here, delivered again after a reload, stored once (scanning/hid-pos-inbox.ts).
  if (bridge !== null) {
    startHidPosInbox({
      bridge,
      isStored: async (readId) => (await db.events.where("id").equals(readId).count()) > 0,
      isHeld: (readId) => theStore.getState().queue.some((q) => q.readId === readId),
      deliver: (p) =>
        routeScan(
          theStore,
          p.symbology !== undefined && !p.raw.startsWith(p.symbology) ? p.symbology + p.raw : p.raw,
          "hid-pos",
          p.readId,
        ),
      settled: () => theStore.getState().settled(),
      onProblem: (message) => console.warn(message),
    });
  }
  sync.start();

  const root = document.getElementById("root");
  if (root === null) throw new Error("index.html has no #root");
  createRoot(root).render(
    <StrictMode>
      <StoreContext.Provider value={theStore}>
        <App
          siteName={config.siteName}
          dockId={config.dockId}
          centralUrl={config.centralUrl}
          shell={config.shell}
          timeZone={config.site.timeZone}
        />
      </StoreContext.Provider>
    </StrictMode>,
  );
  // For the e2e tests and support staff: what this page is talking to.
  document.documentElement.dataset.dockId = config.dockId;
}

void boot();
