/**
 * Deterministic, realistic bookings for tests, benches and the central seed.
 *
 * Same options → same booking, byte for byte. Hub and GPF IDs look like DCC's public test data
 * (`88-73-84-57-…`, model 010A030B, firmware 0002012F) and are unique across every booking made
 * with the same seed: the last four octets are a 32-bit bijective mix of a global counter, with
 * even counters for hubs (CHF) and odd ones for their GPFs, so no bit pattern tells the two apart
 * (a GPF is told only by inventory lookup, as in the real SMI). SSCCs carry a valid GS1 check digit.
 */
import {
  BookingSchema,
  type BookedCarton,
  type BookedHub,
  type Booking,
  type Csp,
  type CspRegion,
  type DockSite,
} from "./booking";
import { mulberry32 } from "./seeded-random";

export interface DemoBookingOptions {
  /** PRNG seed: picks party, CSP, regions, date; and shifts every ID. Default 1. */
  seed?: number;
  /** Which booking of the seed's series (0-1023); IDs never collide between indexes. Default 0. */
  index?: number;
  pallets?: number;
  cartonsPerPallet?: number;
  hubsPerCarton?: number;
  looseCartons?: number;
  /** Default: picked by the PRNG from a few demo parties. */
  partyId?: string;
  /** Default: picked by the PRNG (about 47% North, as the seed's 140k/300k). */
  csp?: Csp;
  /** YYYY-MM-DD; default 2027-01-04 plus two working days a booking index. */
  deliveryDate?: string;
}

/** Demo parties (SEC Parties returning hubs). */
export const DEMO_PARTIES = [
  { id: "SUPPLIER-A", name: "Supplier A Energy" },
  { id: "SUPPLIER-B", name: "Supplier B Power" },
  { id: "MAP-C", name: "Meter Asset Provider C" },
] as const;

/** The dock site each CSP's demo facility is. */
export const DEMO_FACILITY: Record<Csp, string> = { North: "N-DOCK-1", CentralSouth: "CS-3PL-1" };

const MAX_INDEX = 1024;
const HUBS_PER_INDEX = 1 << 20;

/** One demo booking: by default 2 pallets × 28 cartons × 32 hubs = 1,792 hubs, all eligible. */
export function demoBooking(options: DemoBookingOptions = {}): Booking {
  const seed = options.seed ?? 1;
  const index = options.index ?? 0;
  const pallets = options.pallets ?? 2;
  const cartonsPerPallet = options.cartonsPerPallet ?? 28;
  const hubsPerCarton = options.hubsPerCarton ?? 32;
  const looseCartons = options.looseCartons ?? 0;
  const totalHubs = (pallets * cartonsPerPallet + looseCartons) * hubsPerCarton;
  if (!Number.isInteger(index) || index < 0 || index >= MAX_INDEX)
    throw new RangeError(`demo booking index must be an integer 0-${MAX_INDEX - 1}`);
  if (totalHubs >= HUBS_PER_INDEX) throw new RangeError(`a demo booking holds fewer than ${HUBS_PER_INDEX} hubs`);
  if (pallets * cartonsPerPallet + looseCartons + pallets >= 100_000)
    throw new RangeError("a demo booking has fewer than 100,000 labels");

  const random = mulberry32(mix32(seed >>> 0) ^ mix32(index + 0x51ed));
  const party = options.partyId
    ? { id: options.partyId, name: `Party ${options.partyId}` }
    : pick(random, DEMO_PARTIES);
  const csp: Csp = options.csp ?? (random() < 0.47 ? "North" : "CentralSouth");
  const region = (): CspRegion => (csp === "North" ? "North" : random() < 0.5 ? "Central" : "South");
  // Refs name the seed and the index, so two seeds' bookings can sit in one central database.
  const ref = `${String((seed >>> 0) % 1000).padStart(3, "0")}-${String(index).padStart(4, "0")}`;
  const companyPrefix = `50${String((seed >>> 0) % 100_000).padStart(5, "0")}`;

  let label = 0;
  const sscc = (): string => withCheckDigit(`3${companyPrefix}${String(index * 100_000 + label++).padStart(9, "0")}`);
  let hubNo = index * HUBS_PER_INDEX;
  const idMix = mix32(seed ^ 0x9e3779b9);
  const hub = (): BookedHub => {
    const n = hubNo++;
    return {
      deviceId: eui64(mix32((2 * n) ^ idMix)),
      gpfDeviceId: eui64(mix32((2 * n + 1) ^ idMix)),
      manufacturer: "AB01",
      deviceModel: "010A030B",
      firmwareVersion: "0002012F",
      smiStatus: "Pending",
      assignedParty: party.id,
      cspRegion: region(),
      // About one hub in four is Dual Band; derived from the hub's number, so no other choice moves.
      hanVariant: (mix32(n ^ 0x5bd1e995) & 3) === 0 ? "dual-band" : "single-band",
    };
  };
  const carton = (): BookedCarton => {
    const ssccOfCarton = sscc();
    return { sscc: ssccOfCarton, hubs: Array.from({ length: hubsPerCarton }, hub) };
  };
  const palletList = Array.from({ length: pallets }, () => {
    const ssccOfPallet = sscc();
    return { sscc: ssccOfPallet, cartons: Array.from({ length: cartonsPerPallet }, carton) };
  });
  const loose = Array.from({ length: looseCartons }, carton);

  const windows = [
    { start: "08:00", end: "10:00" },
    { start: "10:00", end: "12:00" },
    { start: "13:00", end: "15:00" },
  ] as const;
  // Parse once so a demo booking is always a valid booking (and fails loudly here if not).
  return BookingSchema.parse({
    bookingRef: `BK-${ref}`,
    deliveryRef: `DR-${ref}`,
    workOrderId: `WO-${ref}`,
    partyId: party.id,
    partyName: party.name,
    csp,
    facilityId: DEMO_FACILITY[csp],
    deliveryLocation: {
      id: `LOC-${DEMO_FACILITY[csp]}`,
      name: csp === "North" ? "CSP North dock" : "CSP Central & South 3PL dock",
      address: csp === "North" ? "1 Dock Road, Manchester" : "2 Logistics Park, Milton Keynes",
    },
    deliveryDate: options.deliveryDate ?? workingDayAfter("2027-01-04", index * 2),
    deliveryWindow: { ...pick(random, windows) },
    status: "authorised",
    version: 0,
    pallets: palletList,
    looseCartons: loose,
  });
}

/** `count` demo bookings of one seed (indexes 0..count-1): a month, a year, a test dock. */
export function demoBookings(count: number, options: Omit<DemoBookingOptions, "index"> = {}): Booking[] {
  return Array.from({ length: count }, (_, index) => demoBooking({ ...options, index }));
}

/** The dock site that serves a demo booking. */
export function demoSiteFor(booking: Booking, production = true): DockSite {
  return { facilityId: booking.facilityId, csp: booking.csp, production };
}

/** GS1 mod-10 check digit appended to 17 digits (a local copy keeps this file free of labels.ts). */
export function withCheckDigit(digits17: string): string {
  let sum = 0;
  for (let i = 0; i < digits17.length; i++) {
    const d = digits17.charCodeAt(digits17.length - 1 - i) - 48;
    sum += i % 2 === 0 ? 3 * d : d;
  }
  return digits17 + String((10 - (sum % 10)) % 10);
}

function eui64(low32: number): string {
  const hex = (low32 >>> 0).toString(16).toUpperCase().padStart(8, "0");
  return `88-73-84-57-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}-${hex.slice(6, 8)}`;
}

/** A bijection on 32-bit integers (lowbias32), so distinct counters give distinct IDs. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

function workingDayAfter(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T12:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}
