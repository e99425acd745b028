import { bookingCartons, palletHubs, type BookedHub, type Booking } from "./booking";
import { HubIndex, rangeHolding } from "./hub-index";

/**
 * The booking catalogue the reconciler looks scans up in (hub ID → carton, GPF ID → hub, SSCC →
 * pallet or carton, booking ref → delivery): immutable, built once per booking and once per
 * list of other bookings (memoised by object identity), and shared by every state of every receipt.
 */

export interface HubPlace {
  hub: BookedHub;
  bookingRef: string;
  /** The carton the booking lists it in; null when it is listed on its pallet alone. */
  carton: string | null;
  pallet: string | null;
}
/** A listed carton, or (sscc null) the hubs a pallet lists with no carton. */
export interface CartonPlace {
  bookingRef: string;
  sscc: string | null;
  pallet: string | null;
  hubs: readonly BookedHub[];
}
/*
 * Hub and GPF IDs map to a number (the hub's position counting every listed hub of cartonList
 * in order) in a HubIndex (typed arrays, hub-index.ts) rather than to an object per hub: a year
 * of bookings is 300,000 hubs, and 600,000 small objects, or two Maps of 300,000 pointers each,
 * cost more to build and to garbage-collect than the lookups they would save (issue 22).
 */
export interface Catalogue {
  cartonList: CartonPlace[];
  /** cartonStart[c]: the position of cartonList[c]'s first hub; one more entry, the total. */
  cartonStart: Uint32Array;
  hubs: HubIndex;
  /** GPF ID → the hub it is paired with. */
  gpfs: HubIndex;
  cartons: Map<string, CartonPlace>;
  pallets: Map<string, { bookingRef: string; cartons: number; hubs: number }>;
  bookings: Map<string, { deliveryRef: string }>;
}

const catalogueOfBooking = new WeakMap<Booking, Catalogue>();
const catalogueOfList = new WeakMap<readonly Booking[], Catalogue>();

function buildCatalogue(bookings: readonly Booking[]): Catalogue {
  const cartonList: CartonPlace[] = [];
  const cartons = new Map<string, CartonPlace>();
  const pallets = new Map<string, { bookingRef: string; cartons: number; hubs: number }>();
  const bookingRefs = new Map<string, { deliveryRef: string }>();
  const cat = { cartonList, cartons, pallets, bookings: bookingRefs };
  for (const booking of bookings) {
    const bookingRef = booking.bookingRef;
    if (!cat.bookings.has(bookingRef)) cat.bookings.set(bookingRef, { deliveryRef: booking.deliveryRef });
    for (const pallet of booking.pallets) {
      const hubs = palletHubs(pallet);
      const inCartons = pallet.cartons.reduce((n, c) => n + c.hubs.length, 0);
      if (!cat.pallets.has(pallet.sscc))
        cat.pallets.set(pallet.sscc, { bookingRef, cartons: pallet.cartons.length, hubs: hubs.length + inCartons });
      if (hubs.length > 0) cat.cartonList.push({ bookingRef, sscc: null, pallet: pallet.sscc, hubs });
    }
    for (const { carton, palletSscc } of bookingCartons(booking)) {
      const place: CartonPlace = { bookingRef, sscc: carton.sscc, pallet: palletSscc, hubs: carton.hubs };
      cat.cartonList.push(place);
      if (!cat.cartons.has(carton.sscc)) cat.cartons.set(carton.sscc, place);
    }
  }
  const cartonStart = new Uint32Array(cartonList.length + 1);
  for (let c = 0; c < cartonList.length; c++) cartonStart[c + 1] = cartonStart[c]! + (cartonList[c]?.hubs.length ?? 0);
  const total = cartonStart[cartonList.length]!;
  const hubs = new HubIndex(total);
  const gpfs = new HubIndex(total);
  // Backwards, so that where a hub is listed twice (a data error central refuses) the first
  // listing wins without a has() before every set().
  for (let c = cartonList.length - 1; c >= 0; c--) {
    const listed = cartonList[c]?.hubs ?? [];
    for (let h = listed.length - 1; h >= 0; h--) {
      const hub = listed[h];
      if (!hub) continue;
      hubs.set(hub.deviceId, cartonStart[c]! + h);
      gpfs.set(hub.gpfDeviceId, cartonStart[c]! + h);
    }
  }
  return { ...cat, cartonStart, hubs, gpfs };
}

export function findHub(cat: Catalogue, index: HubIndex, id: string): HubPlace | undefined {
  const at = index.get(id);
  if (at === undefined) return undefined;
  const lo = rangeHolding(cat.cartonStart, cat.cartonList.length, at);
  const carton = cat.cartonList[lo];
  const hub = carton?.hubs[at - cat.cartonStart[lo]!];
  return carton && hub ? { hub, bookingRef: carton.bookingRef, carton: carton.sscc, pallet: carton.pallet } : undefined;
}

export function ownCatalogue(booking: Booking): Catalogue {
  let cat = catalogueOfBooking.get(booking);
  if (!cat) catalogueOfBooking.set(booking, (cat = buildCatalogue([booking])));
  return cat;
}
export function listCatalogue(bookings: readonly Booking[]): Catalogue {
  let cat = catalogueOfList.get(bookings);
  if (!cat) catalogueOfList.set(bookings, (cat = buildCatalogue(bookings)));
  return cat;
}
