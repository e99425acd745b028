import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, Select, useList, useSubmit } from "../components";
import { StatementView, monthBounds } from "../statement-view";
import type { OpsBookingRow, OpsForecastRow, OpsReceiptOutcome, PartyRow } from "../../../shared/desk-api";
import type { Statement } from "../../../shared/domain/charges";

const STATUSES = ["authorised", "arrived", "receiving", "closed", "cancelled"] as const;
const OUTCOME_WORDS: Record<OpsReceiptOutcome["outcome"], string> = {
  whole: "accepted whole",
  part: "accepted in part",
  reject: "rejected",
};

function ReceiptCell({ receipt }: { receipt: OpsReceiptOutcome | null }) {
  if (receipt === null) return <>not closed</>;
  const { missing } = receipt;
  return (
    <details>
      <summary>
        {OUTCOME_WORDS[receipt.outcome]}: {receipt.received} of {receipt.listed} received
      </summary>
      {receipt.rejectionReason !== null ? <p>Why rejected: {receipt.rejectionReason}</p> : null}
      {receipt.damageNotes !== null ? <p>Damage: {receipt.damageNotes}</p> : null}
      {receipt.packagingNotes !== null ? <p>Packaging: {receipt.packagingNotes}</p> : null}
      {missing.count === 0 ? (
        <p>Missing: 0</p>
      ) : (
        <details>
          <summary>
            Missing: {missing.count}
            {missing.count > missing.deviceIds.length ? ` (first ${missing.deviceIds.length} listed)` : ""}
          </summary>
          <p>{missing.deviceIds.join(", ")}</p>
        </details>
      )}
      <p>
        Unexpected: {receipt.unexpected.length}
        {receipt.unexpected.length > 0
          ? `: ${receipt.unexpected.map((u) => `${u.deviceId} (${u.verdict})`).join(", ")}`
          : ""}
      </p>
      <p>Rejected: {receipt.rejectedHubs.length}</p>
      {receipt.rejectedHubs.length > 0 ? (
        <ul>
          {receipt.rejectedHubs.map((h) => (
            <li key={h.deviceId}>
              {h.deviceId}: {h.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}

/** Every Party's bookings with the printable label and, once the dock closed the receipt, its outcome (Req 3, Req 5). */
export function OpsBookingsTab() {
  const parties = useList<PartyRow>("/parties");
  const [partyId, setPartyId] = useState("");
  const [status, setStatus] = useState("");
  const q = new URLSearchParams();
  if (partyId !== "") q.set("partyId", partyId);
  if (status !== "") q.set("status", status);
  const query = q.toString();
  const list = useList<OpsBookingRow>(`/ops/bookings${query === "" ? "" : `?${query}`}`);
  return (
    <section aria-labelledby="bk-h">
      <h2 id="bk-h">Bookings</h2>
      <div className="grid">
        <Select
          label="Party"
          value={partyId}
          onChange={setPartyId}
          options={[{ value: "", label: "All Parties" }, ...parties.rows.map((p) => ({ value: p.id, label: p.name }))]}
        />
        <Select
          label="Status"
          value={status}
          onChange={setStatus}
          options={[{ value: "", label: "Any status" }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
        />
      </div>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} booking{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Booking</th>
            <th scope="col">Party</th>
            <th scope="col">Facility</th>
            <th scope="col">Delivery to the dock</th>
            <th scope="col">Hubs</th>
            <th scope="col">Status</th>
            <th scope="col">Label</th>
            <th scope="col">Receipt</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((b) => (
            <tr key={b.bookingRef}>
              <td className="nowrap">
                {b.bookingRef}
                <br />
                <small>{b.deliveryRef}</small>
              </td>
              <td>{b.partyName}</td>
              <td>{b.facilityId}</td>
              <td className="nowrap">
                {b.deliveryDate} {b.deliveryWindow.start}-{b.deliveryWindow.end}
              </td>
              <td>
                {b.hubs} on {b.pallets} pallet{b.pallets === 1 ? "" : "s"}
              </td>
              <td>{b.status}</td>
              <td>
                <a href={`/desk/api/ops/bookings/${encodeURIComponent(b.bookingRef)}/label.pdf`}>
                  Label PDF<span className="visually-hidden"> for {b.bookingRef}</span>
                </a>
              </td>
              <td>
                <ReceiptCell receipt={b.receipt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Every Party's six-monthly forecasts (D-001), newest period first. */
export function OpsForecastsTab() {
  const list = useList<OpsForecastRow>("/ops/forecasts");
  return (
    <section aria-labelledby="fc-h">
      <h2 id="fc-h">Forecasts</h2>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} forecast{list.rows.length === 1 ? "" : "s"} from the Parties
        </caption>
        <thead>
          <tr>
            <th scope="col">Six months from</th>
            <th scope="col">Party</th>
            <th scope="col">Hubs</th>
            <th scope="col">Submitted (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((f) => (
            <tr key={`${f.partyId}-${f.periodStart}`}>
              <td className="nowrap">{f.periodStart}</td>
              <td>{f.partyName}</td>
              <td>{f.hubs}</td>
              <td className="nowrap">{f.submittedAt.slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Any Party's statement for a period: the one the Party sees in its portal. */
export function OpsStatementTab() {
  const parties = useList<PartyRow>("/parties");
  const month = monthBounds();
  const [partyId, setPartyId] = useState("");
  const [from, setFrom] = useState(month.from);
  const [to, setTo] = useState(month.to);
  const [statement, setStatement] = useState<Statement | null>(null);
  const chosen = partyId || parties.rows[0]?.id || "";
  const show = useSubmit(
    () => api<Statement>("GET", `/ops/statement?${new URLSearchParams({ partyId: chosen, from, to }).toString()}`),
    setStatement,
  );
  return (
    <section aria-labelledby="ost-h">
      <h2 id="ost-h">Statements</h2>
      <form onSubmit={(e) => void show.submit(e)} aria-label="Statement for a Party and period">
        <div className="grid">
          <Select
            label="Party"
            value={chosen}
            onChange={setPartyId}
            options={parties.rows.map((p) => ({ value: p.id, label: p.name }))}
          />
          <Field label="From" type="date" value={from} onChange={setFrom} />
          <Field label="To" type="date" value={to} onChange={setTo} />
        </div>
        <RefusalBox refusal={show.refusal ?? parties.refusal} />
        <button type="submit" disabled={show.busy}>
          Show statement
        </button>
      </form>
      {statement !== null ? <StatementView statement={statement} /> : null}
    </section>
  );
}
