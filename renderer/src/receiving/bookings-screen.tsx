import { showWindow } from "../../../shared/domain/display-time";
import { useDock } from "../store/store-context";

/** The bookings cached at this dock (works offline); scanning a booking label opens its receipt. */
export function BookingsScreen() {
  const bookings = useDock((s) => s.bookings);
  const receipts = useDock((s) => s.receiptsByRef);
  const openReceipt = useDock((s) => s.openReceipt);
  const message = useDock((s) => s.receiptMessage);
  const notice = useDock((s) => s.bookingsNotice);
  const visible = bookings.filter((b) => b.head.status !== "cancelled");
  return (
    <main className="panel bookings" aria-label="bookings">
      <h1>Bookings</h1>
      <p className="prompt">
        Scan the booking label on the delivery (or a pallet's label), or pick a booking (Tab, Enter).
      </p>
      {message && <p className="form-error">{message}</p>}
      {notice && (
        <p
          className={notice.tone === "error" ? "form-error" : "prompt"}
          data-testid="bookings-notice"
          data-tone={notice.tone}
          role="status"
        >
          {notice.text}
        </p>
      )}
      {visible.length === 0 && <p>No bookings cached yet. They arrive from central when this dock is online.</p>}
      <ul className="booking-list">
        {visible.map(({ head: booking, pallets, hubs }) => {
          const r = receipts[booking.bookingRef];
          return (
            <li key={booking.bookingRef}>
              <button
                type="button"
                data-testid={`open-${booking.bookingRef}`}
                onClick={() => void openReceipt(booking.bookingRef)}
              >
                <strong>{booking.bookingRef}</strong> {booking.partyName} -{" "}
                {showWindow(booking.deliveryDate, booking.deliveryWindow)} - {pallets} pallets, {hubs} hubs{" "}
                <em>{r ? (r.status === "closed" ? `received (${r.outcome ?? ""})` : "receiving") : booking.status}</em>
              </button>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
