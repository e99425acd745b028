import { useState } from "react";
import { api, type Refusal } from "../api";
import { Notice, RefusalBox, useList } from "../components";
import type { OpsEmailIntakeRow, OpsOutboxRow, OpsRequestRow, OpsWorkOrderRow } from "../../../shared/desk-api";

const when = (iso: string) => iso.slice(0, 16).replace("T", " ");

export function RequestsTab() {
  const list = useList<OpsRequestRow>("/ops/requests");
  return (
    <section aria-labelledby="req-h">
      <h2 id="req-h">Re-flash requests</h2>
      <p>The newest 200, from the portal and the API, with every reason a request was refused.</p>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} request{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Party</th>
            <th scope="col">Facility</th>
            <th scope="col">Delivery</th>
            <th scope="col">Status</th>
            <th scope="col">Received (UTC)</th>
            <th scope="col">Reasons</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((r) => (
            <tr key={r.requestId}>
              <td className="nowrap">{r.requestId}</td>
              <td>{r.partyId}</td>
              <td>{r.facilityId}</td>
              <td className="nowrap">{r.deliveryDate}</td>
              <td>{r.status}</td>
              <td className="nowrap">{when(r.createdAt)}</td>
              <td>
                {r.reasons.length === 0 ? (
                  "–"
                ) : (
                  <ul className="plain">
                    {r.reasons.slice(0, 6).map((x, i) => (
                      <li key={i}>
                        {x.scope === "request" ? "" : `${x.scope}: `}
                        {x.reason}
                      </li>
                    ))}
                    {r.reasons.length > 6 ? <li>and {r.reasons.length - 6} more</li> : null}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <EmailIntakeTable />
    </section>
  );
}

/** The request mailbox: what came in by email and what it was answered. */
function EmailIntakeTable() {
  const list = useList<OpsEmailIntakeRow>("/ops/email-intake");
  return (
    <>
      <h2 id="intake-h">Requests by email</h2>
      <RefusalBox refusal={list.refusal} />
      <table aria-labelledby="intake-h">
        <caption>
          {list.rows.length} message{list.rows.length === 1 ? "" : "s"} received, each answered by email
        </caption>
        <thead>
          <tr>
            <th scope="col">Received (UTC)</th>
            <th scope="col">From</th>
            <th scope="col">Subject</th>
            <th scope="col">Answer</th>
            <th scope="col">Request</th>
            <th scope="col">Reasons</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((m) => (
            <tr key={m.messageId}>
              <td className="nowrap">{when(m.receivedAt)}</td>
              <td>
                {m.sender}
                {m.partyId ? ` (${m.partyId})` : ""}
              </td>
              <td>{m.subject}</td>
              <td>{m.outcome}</td>
              <td className="nowrap">{m.requestId ?? "–"}</td>
              <td>
                {m.reasons.length === 0 ? (
                  "–"
                ) : (
                  <ul className="plain">
                    {m.reasons.slice(0, 6).map((x, i) => (
                      <li key={i}>{x}</li>
                    ))}
                    {m.reasons.length > 6 ? <li>and {m.reasons.length - 6} more</li> : null}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function WorkOrdersTab() {
  const list = useList<OpsWorkOrderRow>("/ops/work-orders");
  const [po, setPo] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [why, setWhy] = useState<Record<string, string>>({});
  const act = async (id: string, action: "approve" | "close" | "cancel") => {
    const r = await api(
      "POST",
      `/ops/work-orders/${encodeURIComponent(id)}/${action}`,
      action === "approve" ? { purchaseOrder: (po[id] ?? "").trim().toUpperCase() } : { reason: why[id] ?? "" },
    );
    setRefusal(r.ok ? null : r.refusal);
    list.reload();
  };
  return (
    <section aria-labelledby="wo-h">
      <h2 id="wo-h">Work Orders</h2>
      <p>
        A raised Work Order is approved against the CSP's purchase order; a completed one is closed. Before its hubs
        arrive, one may be cancelled: its booking is cancelled too. Cancel and close need a reason, which the Party is
        sent by email.
      </p>
      <RefusalBox refusal={refusal ?? list.refusal} />
      <table>
        <caption>
          {list.rows.length} Work Order{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Work Order</th>
            <th scope="col">Party</th>
            <th scope="col">CSP / facility</th>
            <th scope="col">Booking</th>
            <th scope="col">Status</th>
            <th scope="col">Purchase order</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((w) => (
            <tr key={w.id}>
              <td className="nowrap">{w.id}</td>
              <td>{w.partyId}</td>
              <td>
                {w.csp} / {w.facilityId}
              </td>
              <td className="nowrap">
                {w.bookingRef ?? "–"}
                {w.hubs !== null ? ` (${w.hubs} hubs)` : ""}
              </td>
              <td>
                {w.status}
                {w.statusReason ? <small className="why">{w.statusReason}</small> : null}
              </td>
              <td>{w.purchaseOrder ?? "–"}</td>
              <td>
                {w.status === "raised" ? (
                  <div className="actions">
                    <input
                      aria-label={`Purchase order for ${w.id}`}
                      placeholder="PO-…"
                      value={po[w.id] ?? ""}
                      onChange={(e) => setPo({ ...po, [w.id]: e.target.value })}
                    />
                    <button type="button" onClick={() => void act(w.id, "approve")}>
                      Approve {w.id}
                    </button>
                  </div>
                ) : null}
                {w.status === "raised" || w.status === "approved" || w.status === "completed" ? (
                  <div className="actions">
                    <input
                      aria-label={`Reason to ${w.status === "completed" ? "close" : "cancel"} ${w.id}`}
                      placeholder="Reason…"
                      value={why[w.id] ?? ""}
                      onChange={(e) => setWhy({ ...why, [w.id]: e.target.value })}
                    />
                    {w.status === "completed" ? (
                      <button type="button" onClick={() => void act(w.id, "close")}>
                        Close {w.id}
                      </button>
                    ) : (
                      <button type="button" className="danger" onClick={() => void act(w.id, "cancel")}>
                        Cancel {w.id}
                      </button>
                    )}
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function OutboxTab() {
  const list = useList<OpsOutboxRow>("/ops/outbox");
  const [report, setReport] = useState<{ sent: number; failed: number; retrying: number } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const deliver = async () => {
    const r = await api<{ sent: number; failed: number; retrying: number }>("POST", "/ops/outbox/deliver");
    if (r.ok) {
      setReport(r.data);
      setRefusal(null);
    } else setRefusal(r.refusal);
    list.reload();
  };
  const resend = async (id: number) => {
    const r = await api("POST", `/ops/outbox/${id}/resend`);
    setRefusal(r.ok ? null : r.refusal);
    list.reload();
  };
  return (
    <section aria-labelledby="ob-h">
      <h2 id="ob-h">Email outbox</h2>
      <p>
        Notices to Parties (decisions, booking labels, receipt outcomes, ASNs). Central sends what is due every 5
        seconds; a failed send is retried with backoff.
      </p>
      <button type="button" onClick={() => void deliver()}>
        Send what is due now
      </button>
      {report ? (
        <Notice>
          <p>
            {report.sent} sent, {report.failed} failed for good, {report.retrying} to retry.
          </p>
        </Notice>
      ) : null}
      <RefusalBox refusal={refusal ?? list.refusal} />
      <table>
        <caption>
          {list.rows.length} notice{list.rows.length === 1 ? "" : "s"} (newest first)
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Kind</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Tries</th>
            <th scope="col">Sent (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((m) => (
            <tr key={m.id}>
              <td>{m.id}</td>
              <td>{m.kind}</td>
              <td>{m.to}</td>
              <td>{m.subject}</td>
              <td>
                {m.status}
                {m.lastError ? `: ${m.lastError}` : ""}
                {m.status === "failed" ? (
                  <>
                    {" "}
                    <button type="button" onClick={() => void resend(m.id)}>
                      Send notice {m.id} again
                    </button>
                  </>
                ) : null}
              </td>
              <td>{m.attempts}</td>
              <td className="nowrap">{m.sentAt === null ? "–" : when(m.sentAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
