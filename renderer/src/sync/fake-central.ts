import { parseDockEvent } from "../../../shared/events";
import type { Booking } from "../../../shared/domain/booking";
import type {
  AsnBlockResponse,
  FirmwareEntry,
  PullResponse,
  PushResponse,
  PushResult,
  RedeliveryAmendment,
} from "../../../shared/sync";

/**
 * FakeCentral: a `fetch` that speaks the sync protocol of shared/sync.ts from memory, for
 * unit tests of the sync client where the real central (PGlite) is too heavy to start per
 * test. It keeps events by id (so duplicates are detected the way central does), can be
 * taken offline, can refuse chosen events, and can run its clock ahead of the dock.
 */
export class FakeCentral {
  readonly events = new Map<string, unknown>();
  readonly pushes: number[] = [];
  private bookings: Array<{ seq: number; booking: Booking }> = [];
  private amendments: Array<{ seq: number; amendment: RedeliveryAmendment }> = [];
  private firmware: Array<{ seq: number; entry: FirmwareEntry }> = [];
  private seq = 0;
  offline = false;
  /** Operators allowed to reserve ASN numbers. */
  readonly supervisors = new Set<string>(["OP-S"]);
  /** Every ASN number handed out, in order. */
  readonly asnHandedOut: string[] = [];
  private asnSeq = 0;
  /** Answer the next N requests with HTTP `failStatus` (503 unless set). */
  failNext = 0;
  failStatus = 503;
  /** Retry-After (seconds) sent with those failures, when set. */
  failRetryAfter: number | null = null;
  /** Central's clock minus the dock's (ms). */
  skewMs = 0;
  /** Events central refuses with this reason (poisoned). */
  refuse: (event: unknown) => string | null = () => null;
  /** Refuse a whole batch with HTTP `refuseBatchStatus` (400 unless set) when it contains such an event (an older central, or one that fails on it). */
  refuseBatchWith: ((event: unknown) => string | null) | null = null;
  refuseBatchStatus = 400;

  /** Open GET /sync/poke streams (server push): poke() writes a poke event to each. */
  private pokeStreams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  /** Poke streams opened so far (reconnects included). */
  pokeConnections = 0;

  /** Tells every listening dock that something changed (as central does on a booking change). */
  poke(): void {
    const bytes = new TextEncoder().encode("event: poke\ndata: \n\n");
    for (const c of this.pokeStreams) c.enqueue(bytes);
  }

  /** Ends every open poke stream (as a central restart does). */
  endPokeStreams(): void {
    for (const c of this.pokeStreams) c.close();
    this.pokeStreams.clear();
  }

  constructor(private readonly clock: () => number = Date.now) {}

  /** Adds or amends a booking; the next pull returns it. */
  putBooking(booking: Booking): void {
    this.bookings = this.bookings.filter((b) => b.booking.bookingRef !== booking.bookingRef);
    this.bookings.push({ seq: ++this.seq, booking });
  }

  /** A Party's re-delivery amendment (Req 8); the next pull returns it. */
  putAmendment(amendment: RedeliveryAmendment): void {
    this.amendments.push({ seq: ++this.seq, amendment });
  }

  /** Adds or changes (e.g. withdraws) a firmware catalogue entry; the next pull returns it. */
  putFirmware(entry: FirmwareEntry): void {
    this.firmware = this.firmware.filter(
      (f) => f.entry.deviceModel !== entry.deviceModel || f.entry.version !== entry.version,
    );
    this.firmware.push({ seq: ++this.seq, entry });
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (this.offline) throw new TypeError("Failed to fetch");
    if (this.failNext > 0) {
      this.failNext--;
      return json(
        this.failStatus,
        { error: "unavailable", reason: "central is restarting" },
        this.failRetryAfter === null ? {} : { "retry-after": String(this.failRetryAfter) },
      );
    }
    const url = new URL(String(input));
    if (url.pathname === "/sync/poke") return this.pokeStream(init?.signal ?? null);
    const body = JSON.parse(String(init?.body ?? "null")) as Record<string, unknown>;
    const serverTime = new Date(this.clock() + this.skewMs).toISOString();
    if (url.pathname === "/sync/push") return this.push(body, serverTime);
    if (url.pathname === "/sync/pull") return this.pull(body, serverTime);
    if (url.pathname === "/sync/asn-numbers") return this.asnNumbers(body, init?.headers, serverTime);
    return json(404, { error: "not-found", reason: url.pathname });
  };

  private pokeStream(signal: AbortSignal | null): Response {
    this.pokeConnections++;
    let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.pokeStreams.add(c);
      },
      cancel: () => {
        if (controller) this.pokeStreams.delete(controller);
      },
    });
    signal?.addEventListener("abort", () => {
      if (controller && this.pokeStreams.delete(controller))
        controller.error(new DOMException("aborted", "AbortError"));
    });
    return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
  }

  private push(body: Record<string, unknown>, serverTime: string): Response {
    const events = body.events as unknown[];
    this.pushes.push(events.length);
    if (this.refuseBatchWith) {
      for (const e of events) {
        const why = this.refuseBatchWith(e);
        if (why !== null)
          return json(this.refuseBatchStatus, {
            error: this.refuseBatchStatus === 400 ? "bad-request" : "internal",
            reason: why,
          });
      }
    }
    const results: PushResult[] = [];
    events.forEach((e, index) => {
      const parsed = parseDockEvent(e);
      const refused = parsed.ok ? this.refuse(e) : parsed.reason;
      if (!parsed.ok || refused !== null) {
        results.push({
          index,
          id: parsed.ok ? parsed.event.id : null,
          status: "rejected",
          reason: refused ?? "invalid",
        });
        return;
      }
      const id = parsed.event.id;
      if (this.events.has(id)) results.push({ index, id, status: "duplicate" });
      else {
        this.events.set(id, e);
        results.push({ index, id, status: "accepted" });
      }
    });
    const count = (s: PushResult["status"]) => results.filter((r) => r.status === s).length;
    const answer: PushResponse = {
      serverTime,
      accepted: count("accepted"),
      duplicate: count("duplicate"),
      rejected: count("rejected"),
      results,
    };
    return json(200, answer);
  }

  /** Central's ASN sequence: a block per request, never a number twice (whoever asks); a supervisor must ask. */
  private asnNumbers(body: Record<string, unknown>, headers: HeadersInit | undefined, serverTime: string): Response {
    const operator = new Headers(headers).get("x-operator-id");
    if (operator === null || !this.supervisors.has(operator))
      return json(403, { error: "role-forbidden", reason: "reserving an ASN number needs role supervisor" });
    const count = Number(body.count);
    if (!Number.isInteger(count) || count < 1 || count > 100)
      return json(400, { error: "bad-request", reason: "count is 1-100" });
    const asnNumbers = Array.from({ length: count }, () => `ASN-${String(++this.asnSeq).padStart(8, "0")}`);
    this.asnHandedOut.push(...asnNumbers);
    const answer: AsnBlockResponse = { asnNumbers, serverTime };
    return json(201, answer);
  }

  private pull(body: Record<string, unknown>, serverTime: string): Response {
    const cursor = Number(body.cursor ?? "0");
    // One change log in seq order, two changes a page, so paging is exercised.
    const changed = [
      ...this.bookings.map((b) => ({ seq: b.seq, booking: b.booking })),
      ...this.amendments.map((a) => ({ seq: a.seq, amendment: a.amendment })),
      ...this.firmware.map((f) => ({ seq: f.seq, entry: f.entry })),
    ]
      .filter((c) => c.seq > cursor)
      .sort((a, b) => a.seq - b.seq);
    const page = changed.slice(0, 2);
    const last = page[page.length - 1];
    const answer: PullResponse = {
      serverTime,
      cursor: String(last ? last.seq : cursor),
      more: changed.length > page.length,
      bookings: page.flatMap((c) => ("booking" in c ? [c.booking] : [])),
      firmware: page.flatMap((c) => ("entry" in c ? [c.entry] : [])),
      operators: [],
      signingKeys: [],
      redeliveryAmendments: page.flatMap((c) => ("amendment" in c ? [c.amendment] : [])),
    };
    return json(200, answer);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
