import { useState } from "react";
import { api, type Refusal } from "../api";
import { RefusalBox, useList } from "../components";
import type { FailedHubRow, HubDisposition } from "../../../shared/desk-api";

/** Dates as `en-GB` with 24-hour times, in the UK's zone (DOMAIN.md: one clock per site). */
const when = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", {
    timeZone: "Europe/London",
    day: "2-digit",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });

const WORDS: Record<HubDisposition, string> = {
  scrapped: "Scrapped",
  "returned-to-manufacturer": "Returned to manufacturer",
};

/**
 * Failed hubs (risk R-001, PIA 6.2.1): each hub with a Fault Analysis Report gets a disposition,
 * scrapped or returned to its manufacturer, decided once and audited; the returns list of each
 * manufacturer downloads as a CSV file.
 */
export function FailedHubsTab() {
  const list = useList<FailedHubRow>("/dispositions");
  const [choice, setChoice] = useState<Record<string, HubDisposition | "">>({});
  const [note, setNote] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const record = async (deviceId: string) => {
    const disposition = choice[deviceId] ?? "";
    if (disposition === "") {
      setRefusal({ status: 400, reason: `choose what becomes of hub ${deviceId} first`, issues: [], rows: [] });
      return;
    }
    const r = await api<FailedHubRow>("POST", `/dispositions/${encodeURIComponent(deviceId)}`, {
      disposition,
      note: (note[deviceId] ?? "").trim(),
    });
    setRefusal(r.ok ? null : r.refusal);
    setDone(r.ok ? `Hub ${deviceId}: ${WORDS[disposition].toLowerCase()}.` : null);
    list.reload();
  };
  const pending = list.rows.filter((r) => r.disposition === null);
  const manufacturers = [
    ...new Set(
      list.rows.filter((r) => r.disposition?.disposition === "returned-to-manufacturer").map((r) => r.manufacturer),
    ),
  ].sort();
  return (
    <section aria-labelledby="failed-h">
      <h2 id="failed-h">Failed hubs</h2>
      <p>
        Hubs that could not be re-flashed, each with its Fault Analysis Report. Decide once what becomes of each:
        scrapped, or returned to its manufacturer. {pending.length} still to decide.
      </p>
      <RefusalBox refusal={refusal ?? list.refusal} />
      {done !== null ? (
        <p role="status" data-testid="disposition-done">
          {done}
        </p>
      ) : null}
      <h3>Returns lists</h3>
      {manufacturers.length === 0 ? (
        <p>No hub is going back to a manufacturer yet.</p>
      ) : (
        <ul className="plain">
          {manufacturers.map((m) => (
            <li key={m}>
              <a href={`/desk/api/dispositions/returns.csv?manufacturer=${encodeURIComponent(m)}`} download>
                Returns list for manufacturer {m} (CSV)
              </a>
            </li>
          ))}
        </ul>
      )}
      <table>
        <caption>
          {list.rows.length} failed hub{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Hub</th>
            <th scope="col">Party / booking</th>
            <th scope="col">Manufacturer / model</th>
            <th scope="col">Fault Analysis Report</th>
            <th scope="col">What becomes of it</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((h) => (
            <tr key={h.deviceId} data-testid={`failed-${h.deviceId}`}>
              <td className="nowrap">{h.deviceId}</td>
              <td>
                {h.partyId} / {h.bookingRef ?? "–"}
              </td>
              <td>
                {h.manufacturer} / {h.deviceModel}
              </td>
              <td>
                {h.reason}
                <br />
                <small>
                  {h.faultReport}, {when(h.reportedAt)}
                </small>
              </td>
              <td>
                {h.disposition !== null ? (
                  <>
                    {WORDS[h.disposition.disposition]}
                    {h.disposition.note !== "" ? `: ${h.disposition.note}` : ""}
                    <br />
                    <small>{when(h.disposition.decidedAt)}</small>
                  </>
                ) : (
                  <div className="actions">
                    <select
                      aria-label={`What becomes of hub ${h.deviceId}`}
                      value={choice[h.deviceId] ?? ""}
                      onChange={(e) => setChoice({ ...choice, [h.deviceId]: e.target.value as HubDisposition | "" })}
                    >
                      <option value="">Choose…</option>
                      <option value="scrapped">Scrapped</option>
                      <option value="returned-to-manufacturer">Returned to manufacturer</option>
                    </select>
                    <input
                      aria-label={`Note for hub ${h.deviceId}`}
                      placeholder="Note (optional)"
                      value={note[h.deviceId] ?? ""}
                      onChange={(e) => setNote({ ...note, [h.deviceId]: e.target.value })}
                    />
                    <button type="button" onClick={() => void record(h.deviceId)}>
                      Record for {h.deviceId}
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
