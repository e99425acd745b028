import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, useList, useSubmit } from "../components";
import type { PortalFaultReport } from "../../../shared/desk-api";
import type { Statement } from "../../../shared/domain/charges";

function monthBounds(today = new Date()): { from: string; to: string } {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return { from: iso(new Date(Date.UTC(y, m, 1))), to: iso(new Date(Date.UTC(y, m + 1, 0))) };
}

/** The Party's statement for a period (charges and credits, by booking) and its hubs' Fault Analysis Reports. */
export function PortalStatement() {
  const month = monthBounds();
  const [from, setFrom] = useState(month.from);
  const [to, setTo] = useState(month.to);
  const [statement, setStatement] = useState<Statement | null>(null);
  const show = useSubmit(
    () => api<Statement>("GET", `/portal/statement?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    setStatement,
  );
  const faults = useList<PortalFaultReport>("/portal/fault-reports");
  const money = (minor: number, currency: string) =>
    new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(minor / 100);
  return (
    <main>
      <h1>Statement and Fault Analysis Reports</h1>
      <form onSubmit={(e) => void show.submit(e)} aria-labelledby="st-h">
        <h2 id="st-h">Statement for a period</h2>
        <div className="grid">
          <Field label="From" type="date" value={from} onChange={setFrom} />
          <Field label="To" type="date" value={to} onChange={setTo} />
        </div>
        <RefusalBox refusal={show.refusal} />
        <button type="submit" disabled={show.busy}>
          Show statement
        </button>
      </form>
      {statement !== null ? (
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
      ) : null}
      <section aria-labelledby="far-h">
        <h2 id="far-h">Fault Analysis Reports</h2>
        <RefusalBox refusal={faults.refusal} />
        <table>
          <caption>
            {faults.rows.length} report{faults.rows.length === 1 ? "" : "s"} on your hubs
          </caption>
          <thead>
            <tr>
              <th scope="col">Hub</th>
              <th scope="col">Booking</th>
              <th scope="col">Why it could not be re-flashed</th>
              <th scope="col">Raised by</th>
              <th scope="col">When (UTC)</th>
              <th scope="col">What became of the hub</th>
            </tr>
          </thead>
          <tbody>
            {faults.rows.map((f) => (
              <tr key={f.id}>
                <td className="nowrap">{f.deviceId}</td>
                <td className="nowrap">{f.bookingRef ?? "–"}</td>
                <td>{f.reason}</td>
                <td>{f.manual ? "technician" : "jig"}</td>
                <td className="nowrap">{f.at.slice(0, 16).replace("T", " ")}</td>
                <td>
                  {f.disposition === "scrapped"
                    ? "scrapped"
                    : f.disposition === "returned-to-manufacturer"
                      ? "returned to its manufacturer"
                      : "not decided yet"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
