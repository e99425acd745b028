import { useId, useState } from "react";
import { api, fileBase64, type Refusal } from "../api";
import { Notice, RefusalBox, useView } from "../components";
import { MAX_UPLOAD_BYTES, type DeskCspmN3Result, type DeskSmiView } from "../../../shared/desk-api";

/**
 * SMI firmware updates (MP155 Req 10): each re-flashed hub's new version goes to the Smart
 * Metering Inventory, either as a CSPM-N3 message per hub (Option A) or as the SSMI upload file
 * (Option B): download it, upload it to the SMI, then upload the SMI's copy back here; a file
 * with any bad row applies nothing and every bad row is shown with its line.
 */
export function SmiUpdatesTab() {
  const { data: view, refusal: loadRefusal, reload } = useView<DeskSmiView>("/smi");

  const [sent, setSent] = useState<DeskCspmN3Result | null>(null);
  const [sendRefusal, setSendRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const sendN3 = async () => {
    setBusy(true);
    const r = await api<DeskCspmN3Result>("POST", "/smi/cspm-n3");
    setBusy(false);
    if (r.ok) {
      setSent(r.data);
      setSendRefusal(null);
      reload();
    } else setSendRefusal(r.refusal);
  };

  return (
    <>
      <h2>SMI firmware updates</h2>
      <RefusalBox refusal={loadRefusal} />
      {view !== null ? (
        <p role="status">
          {view.counts.pending} hub{view.counts.pending === 1 ? "" : "s"} waiting for the SMI update;{" "}
          {view.counts.emitted} sent as CSPM-N3, {view.counts.uploaded} applied from an SSMI file.
        </p>
      ) : null}
      <div className="forms">
        <section aria-labelledby="smi-a" className="panel">
          <h3 id="smi-a">Option A: CSPM-N3 messages</h3>
          <p>
            One message per waiting hub, every field filled from the SMI mirror. A hub with a field missing stays
            waiting, with the reason.
          </p>
          <button
            type="button"
            disabled={busy || view === null || view.counts.pending === 0}
            onClick={() => void sendN3()}
          >
            Send CSPM-N3 for {view?.counts.pending ?? 0} hubs
          </button>
          <RefusalBox refusal={sendRefusal} />
          {sent !== null ? (
            <Notice>
              <p>
                Sent {sent.messages.length} CSPM-N3 message{sent.messages.length === 1 ? "" : "s"}
                {sent.refused.length > 0 ? `; ${sent.refused.length} hub(s) not sent:` : "."}
              </p>
              {sent.refused.length > 0 ? (
                <ul>
                  {sent.refused.map((r) => (
                    <li key={r.deviceId}>
                      {r.deviceId}: {r.reason}
                    </li>
                  ))}
                </ul>
              ) : null}
            </Notice>
          ) : null}
        </section>
        <section aria-labelledby="smi-b" className="panel">
          <h3 id="smi-b">Option B: the SSMI file</h3>
          <p>
            <a href="/desk/api/smi/ssmi.csv" download>
              Download the SSMI file
            </a>{" "}
            ({view?.counts.pending ?? 0} waiting
            {view !== null && view.held.length > 0 ? `, ${view.held.length} held back` : ""}
            ), upload it to the SMI, then upload the SMI&apos;s file back here.
          </p>
          <SsmiUpload onApplied={reload} />
        </section>
      </div>
      {view !== null && view.held.length > 0 ? (
        <table>
          <caption>Held back from the SSMI file (the SMI would refuse the whole file)</caption>
          <thead>
            <tr>
              <th scope="col">Hub</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {view.held.map((h) => (
              <tr key={h.deviceId}>
                <td>{h.deviceId}</td>
                <td>{h.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {view !== null && view.pending.length > 0 ? (
        <table>
          <caption>
            Waiting for the SMI update
            {view.counts.pending > view.pending.length ? ` (first ${view.pending.length})` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col">Hub</th>
              <th scope="col">Booking</th>
              <th scope="col">New firmware</th>
              <th scope="col">Re-flashed</th>
            </tr>
          </thead>
          <tbody>
            {view.pending.map((p) => (
              <tr key={p.deviceId}>
                <td>{p.deviceId}</td>
                <td>{p.bookingRef ?? "–"}</td>
                <td>{p.newFirmware}</td>
                <td>{p.createdAt.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function SsmiUpload({ onApplied }: { onApplied: () => void }) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [applied, setApplied] = useState<{ applied: number; fileName: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (file === null) return;
    setApplied(null);
    if (file.size > MAX_UPLOAD_BYTES) {
      setRefusal({
        status: 413,
        reason: `${file.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`,
        issues: [],
        rows: [],
      });
      return;
    }
    setBusy(true);
    const r = await api<{ applied: number }>("POST", "/smi/ssmi-upload", {
      fileName: file.name,
      contentBase64: await fileBase64(file),
    });
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      setApplied({ applied: r.data.applied, fileName: file.name });
      onApplied();
    } else setRefusal(r.refusal);
  };
  return (
    <form onSubmit={(e) => void send(e)}>
      <div className="field">
        <label htmlFor={inputId}>SSMI file from the SMI</label>
        <input id={inputId} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <button type="submit" disabled={busy || file === null}>
        Upload the SSMI file
      </button>
      <RefusalBox refusal={refusal} />
      {applied !== null ? (
        <Notice>
          <p>
            Applied {applied.fileName}: {applied.applied} hub{applied.applied === 1 ? "" : "s"} updated in the SMI
            mirror.
          </p>
        </Notice>
      ) : null}
    </form>
  );
}
