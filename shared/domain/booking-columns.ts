import { bookingCartons, palletHubs, type BookedHub, type Booking } from "./booking";
import { formatEui64, HubIndex, parseEui64, rangeHolding } from "./hub-index";

/**
 * The other bookings' hubs in columns (issue 22). The receipt's reconciler asks a booking it is
 * not receiving only: is this hub (or GPF ID) on it, in which carton and pallet, and whose GPF
 * is it; is this SSCC one of its pallets or cartons; is this its booking ref. A year of cached
 * bookings is 300,000 hubs: as `BookedHub` objects they are 300,000 objects and 2 million
 * strings to structured-clone out of IndexedDB at page load and to mark at every major GC.
 *
 * `BookingColumns` is one booking's answer to those questions as typed arrays and a few short
 * string lists (its pallets' and cartons' SSCCs): structured-cloned as a handful of ArrayBuffers,
 * stored beside the booking in the dock's database when it is pulled. `ColumnCatalogue` is the
 * list of them as the reconciler reads it: hub and GPF IDs → a position in a `HubIndex`, the
 * position → booking (binary search over where each booking's hubs start) → carton (binary
 * search over the booking's carton starts). It answers every lookup as the object catalogue of
 * booking-index.ts does (`listCatalogue`; the property test in booking-columns.test.ts): the
 * first listing wins where a hub is listed twice, non-canonical IDs are found as typed.
 */
export interface BookingColumns {
  bookingRef: string;
  deliveryRef: string;
  /** The booking's pallets in order: SSCC, cartons listed, hubs listed (in its cartons and on it alone). */
  palletSscc: string[];
  palletCartons: Uint32Array;
  palletHubs: Uint32Array;
  /**
   * The carton list in the catalogue's order (each pallet's own hubs, sscc null, then the
   * listed cartons, loose ones last, as `bookingCartons` gives them), its pallet as an index
   * into palletSscc (-1: a loose carton), and where its hubs start (one more entry: the total).
   */
  cartonSscc: Array<string | null>;
  cartonPallet: Int32Array;
  cartonStart: Uint32Array;
  /** Each listed hub's EUI-64 as [high, low] 32-bit halves, two entries a hub; 0, 0 for a non-canonical ID. */
  hubKeys: Uint32Array;
  /** The GPF ID it is paired with, likewise. */
  gpfKeys: Uint32Array;
  /** [position, ID] of the hub and GPF IDs not in canonical form (none in central's data; kept as typed). */
  oddHubIds: Array<[number, string]>;
  oddGpfIds: Array<[number, string]>;
}

/** A hub another booking lists: where, and its own (CHF) ID. */
export interface ListedHub {
  deviceId: string;
  bookingRef: string;
  /** The carton the booking lists it in; null when it is listed on its pallet alone. */
  carton: string | null;
  pallet: string | null;
}

/** One booking's columns; the booking is not changed and nothing of it is shared. */
export function bookingColumns(booking: Booking): BookingColumns {
  const palletSscc: string[] = [];
  const palletCartons: number[] = [];
  const palletHubCounts: number[] = [];
  const cartonSscc: Array<string | null> = [];
  const cartonPallet: number[] = [];
  const lists: Array<readonly BookedHub[]> = [];
  booking.pallets.forEach((pallet, p) => {
    const hubs = palletHubs(pallet);
    palletSscc.push(pallet.sscc);
    palletCartons.push(pallet.cartons.length);
    palletHubCounts.push(hubs.length + pallet.cartons.reduce((n, c) => n + c.hubs.length, 0));
    if (hubs.length > 0) {
      cartonSscc.push(null);
      cartonPallet.push(p);
      lists.push(hubs);
    }
  });
  const palletOf = new Map<string, number>();
  booking.pallets.forEach((p, i) => {
    if (!palletOf.has(p.sscc)) palletOf.set(p.sscc, i);
  });
  // bookingCartons names a carton's pallet by SSCC; the first pallet of that SSCC is the one
  // (pallets are walked in order, so a repeated SSCC's cartons still name an index that reads back the same SSCC).
  for (const { carton, palletSscc: on } of bookingCartons(booking)) {
    cartonSscc.push(carton.sscc);
    cartonPallet.push(on === null ? -1 : (palletOf.get(on) ?? -1));
    lists.push(carton.hubs);
  }
  const cartonStart = new Uint32Array(lists.length + 1);
  lists.forEach((l, c) => (cartonStart[c + 1] = cartonStart[c]! + l.length));
  const total = cartonStart[lists.length]!;
  const hubKeys = new Uint32Array(total * 2);
  const gpfKeys = new Uint32Array(total * 2);
  const oddHubIds: Array<[number, string]> = [];
  const oddGpfIds: Array<[number, string]> = [];
  let at = 0;
  for (const list of lists)
    for (const hub of list) {
      put(hubKeys, oddHubIds, at, hub.deviceId);
      put(gpfKeys, oddGpfIds, at, hub.gpfDeviceId);
      at++;
    }
  return {
    bookingRef: booking.bookingRef,
    deliveryRef: booking.deliveryRef,
    palletSscc,
    palletCartons: Uint32Array.from(palletCartons),
    palletHubs: Uint32Array.from(palletHubCounts),
    cartonSscc,
    cartonPallet: Int32Array.from(cartonPallet),
    cartonStart,
    hubKeys,
    gpfKeys,
    oddHubIds,
    oddGpfIds,
  };
}

function put(keys: Uint32Array, odd: Array<[number, string]>, at: number, id: string): void {
  const key = parseEui64(id);
  if (key === null) odd.push([at, id]);
  else {
    keys[at * 2] = key[0];
    keys[at * 2 + 1] = key[1];
  }
}

/** The bookings' cartons and hubs this catalogue lists, for sizing and the bench. */
export function columnsHubCount(c: BookingColumns): number {
  return c.cartonStart[c.cartonStart.length - 1] ?? 0;
}

/** The other bookings as the reconciler reads them; immutable once built. */
export class ColumnCatalogue {
  readonly bookings = new Map<string, { deliveryRef: string }>();
  readonly pallets = new Map<string, { bookingRef: string; cartons: number; hubs: number }>();
  /** Listed cartons by SSCC (the first listing): its booking and pallet. */
  readonly cartons = new Map<string, { bookingRef: string; pallet: string | null }>();
  private readonly list: readonly BookingColumns[];
  private readonly start: Uint32Array;
  private readonly hubs: HubIndex;
  private readonly gpfs: HubIndex;
  /** Per booking, its non-canonical hub IDs by position (undefined: none, the normal case). */
  private readonly oddHubs: Array<Map<number, string> | undefined>;

  constructor(list: readonly BookingColumns[]) {
    this.list = list;
    this.start = new Uint32Array(list.length + 1);
    list.forEach((b, i) => (this.start[i + 1] = this.start[i]! + columnsHubCount(b)));
    const total = this.start[list.length]!;
    this.oddHubs = list.map((b) => (b.oddHubIds.length > 0 ? new Map(b.oddHubIds) : undefined));
    for (const b of list) {
      const bookingRef = b.bookingRef;
      if (!this.bookings.has(bookingRef)) this.bookings.set(bookingRef, { deliveryRef: b.deliveryRef });
      b.palletSscc.forEach((sscc, p) => {
        if (!this.pallets.has(sscc))
          this.pallets.set(sscc, { bookingRef, cartons: b.palletCartons[p] ?? 0, hubs: b.palletHubs[p] ?? 0 });
      });
      b.cartonSscc.forEach((sscc, c) => {
        if (sscc !== null && !this.cartons.has(sscc))
          this.cartons.set(sscc, { bookingRef, pallet: b.palletSscc[b.cartonPallet[c] ?? -1] ?? null });
      });
    }
    this.hubs = new HubIndex(total);
    this.gpfs = new HubIndex(total);
    // Backwards, so that where an ID is listed twice the first listing wins (as in booking-index.ts).
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i]!;
      const base = this.start[i]!;
      fill(this.hubs, b.hubKeys, b.oddHubIds, base);
      fill(this.gpfs, b.gpfKeys, b.oddGpfIds, base);
    }
  }

  /** The first listing of hub `id` (its own, CHF, ID), or undefined. */
  findHub(id: string): ListedHub | undefined {
    return this.at(this.hubs.get(id));
  }

  /** The hub whose GPF ID is `id` (its first listing), or undefined. */
  findGpf(id: string): ListedHub | undefined {
    return this.at(this.gpfs.get(id));
  }

  private at(pos: number | undefined): ListedHub | undefined {
    if (pos === undefined) return undefined;
    const b = rangeHolding(this.start, this.list.length, pos);
    const cols = this.list[b];
    if (cols === undefined) return undefined;
    const h = pos - this.start[b]!;
    const c = rangeHolding(cols.cartonStart, cols.cartonSscc.length, h);
    const p = cols.cartonPallet[c] ?? -1;
    return {
      deviceId: this.oddHubs[b]?.get(h) ?? formatEui64(cols.hubKeys[h * 2]!, cols.hubKeys[h * 2 + 1]!),
      bookingRef: cols.bookingRef,
      carton: cols.cartonSscc[c] ?? null,
      pallet: p < 0 ? null : (cols.palletSscc[p] ?? null),
    };
  }
}

/** Sets every position's ID, last to first, with `base` added. */
function fill(index: HubIndex, keys: Uint32Array, odd: ReadonlyArray<[number, string]>, base: number): void {
  const oddAt = odd.length > 0 ? new Map(odd) : undefined;
  for (let h = keys.length / 2 - 1; h >= 0; h--) {
    const id = oddAt?.get(h);
    if (id !== undefined) index.set(id, base + h);
    else index.setKey(keys[h * 2]!, keys[h * 2 + 1]!, base + h);
  }
}

const columnsOfBooking = new WeakMap<Booking, BookingColumns>();
const catalogueOfList = new WeakMap<readonly Booking[], ColumnCatalogue>();

/** The column catalogue of a list of Booking objects (memoised by the list's identity). */
export function columnCatalogueOf(bookings: readonly Booking[]): ColumnCatalogue {
  let cat = catalogueOfList.get(bookings);
  if (!cat) {
    cat = new ColumnCatalogue(
      bookings.map((b) => {
        let cols = columnsOfBooking.get(b);
        if (!cols) columnsOfBooking.set(b, (cols = bookingColumns(b)));
        return cols;
      }),
    );
    catalogueOfList.set(bookings, cat);
  }
  return cat;
}

/** A booking without its pallets, cartons, hubs and dispatch document: what a list of bookings shows and decides by. */
export type BookingHead = Omit<Booking, "pallets" | "looseCartons" | "dispatch">;

/** What the bookings list holds of a cached booking: its head, its counts and its columns (no object per hub). */
export interface BookingSummary {
  head: BookingHead;
  pallets: number;
  hubs: number;
  columns: BookingColumns;
}

export function bookingSummary(booking: Booking): BookingSummary {
  const { pallets, looseCartons: _loose, dispatch: _dispatch, ...head } = booking;
  const columns = bookingColumns(booking);
  return { head, pallets: pallets.length, hubs: columnsHubCount(columns), columns };
}
