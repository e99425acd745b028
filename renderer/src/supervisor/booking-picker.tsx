import { useDock } from "../store/store-context";

/** The received (closed) bookings a supervisor may open. */
export function BookingPicker() {
  const bookings = useDock((s) => s.bookings);
  const receipts = useDock((s) => s.receiptsByRef);
  const open = useDock((s) => s.openSupervisor);
  const received = bookings.filter((b) => receipts[b.bookingRef]?.status === "closed");
  return (
    <section aria-label="received bookings">
      <h2>Received bookings</h2>
      {received.length === 0 && <p>No booking has been received and closed at this dock yet.</p>}
      <ul className="booking-list">
        {received.map(({ head: booking, pallets, hubs }) => (
          <li key={booking.bookingRef}>
            <button
              type="button"
              data-testid={`supervise-${booking.bookingRef}`}
              onClick={() => void open(booking.bookingRef)}
            >
              <strong>{booking.bookingRef}</strong> {booking.partyName} - {pallets} pallets, {hubs} hubs - received (
              {receipts[booking.bookingRef]?.outcome ?? ""})
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
