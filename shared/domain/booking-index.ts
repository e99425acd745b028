import { bookingCartons, palletHubs, type BookedHub, type Booking } from "./booking";

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
 * Hub and GPF IDs map to a number (carton position × 65,536 + hub position) rather than to an
 * object per hub: a year of bookings is 300,000 hubs, and 600,000 small objects cost more to
 * build and to garbage-collect than the lookups they would save.
 */
const HUB_SLOTS = 65_536;
export interface Catalogue {
  cartonList: CartonPlace[];
  hubs: Map<string, number>;
  /** GPF ID → the hub it is paired with. */
  gpfs: Map<string, number>;
  cartons: Map<string, CartonPlace>;
  pallets: Map<string, { bookingRef: string; cartons: number; hubs: number }>;
  bookings: Map<string, { deliveryRef: string }>;
}

const catalogueOfBooking = new WeakMap<Booking, Catalogue>();
const catalogueOfList = new WeakMap<readonly Booking[], Catalogue>();

function buildCatalogue(bookings: readonly Booking[]): Catalogue {
  const cat: Catalogue = {
    cartonList: [],
    hubs: new Map(),
    gpfs: new Map(),
    cartons: new Map(),
    pallets: new Map(),
    bookings: new Map(),
  };
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
  // Backwards, so that where a hub is listed twice (a data error central refuses) the first
  // listing wins without a has() before every set().
  for (let c = cat.cartonList.length - 1; c >= 0; c--) {
    const hubs = cat.cartonList[c]?.hubs ?? [];
    for (let h = Math.min(hubs.length, HUB_SLOTS) - 1; h >= 0; h--) {
      const hub = hubs[h];
      if (!hub) continue;
      cat.hubs.set(hub.deviceId, c * HUB_SLOTS + h);
      cat.gpfs.set(hub.gpfDeviceId, c * HUB_SLOTS + h);
    }
  }
  return cat;
}

export function findHub(cat: Catalogue, map: Map<string, number>, id: string): HubPlace | undefined {
  const at = map.get(id);
  if (at === undefined) return undefined;
  const carton = cat.cartonList[Math.floor(at / HUB_SLOTS)];
  const hub = carton?.hubs[at % HUB_SLOTS];
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
