import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, useList, useSubmit } from "../components";
import type { PortalFaultReport } from "../../../shared/desk-api";
import type { Statement } from "../../../shared/domain/charges";
import { StatementView, monthBounds } from "../statement-view";

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
      {statement !== null ? <StatementView statement={statement} /> : null}
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
