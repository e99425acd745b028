import type { Statement } from "../../shared/domain/charges";

/** The first and last day of the current month (UTC), the statement's default period. */
export function monthBounds(today = new Date()): { from: string; to: string } {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return { from: iso(new Date(Date.UTC(y, m, 1))), to: iso(new Date(Date.UTC(y, m + 1, 0))) };
}

const money = (minor: number, currency: string) =>
  new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(minor / 100);

/** A Party's statement for a period (charges and credits, by booking): the portal's and the DCC desk's one view. */
export function StatementView({ statement }: { statement: Statement }) {
  return (
    <section aria-labelledby="lines-h">
      <h2 id="lines-h">
        {statement.partyName}, {statement.period.from} to {statement.period.to}
      </h2>
      <p>
        {statement.counts.reflashed} hub{statement.counts.reflashed === 1 ? "" : "s"} re-flashed,{" "}
        {statement.counts.notReflashable} not re-flashable.
      </p>
      <table>
        <caption>Charges and credits</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {statement.lines.length === 0 ? (
            <tr>
              <td colSpan={4}>Nothing in this period.</td>
            </tr>
          ) : null}
          {statement.lines.map((l) => (
            <tr key={l.code}>
              <td>{l.description}</td>
              <td>{l.quantity}</td>
              <td>{money(l.unitMinor, statement.currency)}</td>
              <td>
                {l.direction === "credit" ? "−" : ""}
                {money(l.amountMinor, statement.currency)}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row" colSpan={3}>
              Net
            </th>
            <td>
              <strong>{money(statement.totals.netMinor, statement.currency)}</strong>
            </td>
          </tr>
        </tbody>
      </table>
      {statement.unpriced.length > 0 ? (
        <p>{statement.unpriced.length} hub(s) not priced yet: their HAN variant is not known.</p>
      ) : null}
      {statement.byBooking.length > 0 ? (
        <table>
          <caption>By booking</caption>
          <thead>
            <tr>
              <th scope="col">Booking</th>
              <th scope="col">Re-flashed</th>
              <th scope="col">Not re-flashable</th>
            </tr>
          </thead>
          <tbody>
            {statement.byBooking.map((b) => (
              <tr key={b.bookingRef}>
                <td>{b.bookingRef}</td>
                <td>{b.reflashed}</td>
                <td>{b.notReflashable}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
