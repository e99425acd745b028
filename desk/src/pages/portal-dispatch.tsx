import { useId, useState } from "react";
import { api, fileBase64 } from "../api";
import { Field, Notice, RefusalBox, Select, useList, useSubmit, useView } from "../components";
import { MAX_UPLOAD_BYTES, type PortalBooking, type PortalDispatch } from "../../../shared/desk-api";

interface PalletEntry {
  sscc: string;
  palletId: string;
  /** Device IDs as typed: one a line (or separated by commas or spaces). */
  hubs: string;
}
const emptyPallet = (): PalletEntry => ({ sscc: "", palletId: "", hubs: "" });

/** A datetime-local value ("2026-12-01T07:45") read on this computer's clock, as ISO 8601 with its offset. */
function isoOf(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/**
 * The dispatch document of Req 4 for one of the Party's bookings: when it was sent, the Party's
 * signifier, and each pallet (SSCC, the Party's pallet ID, the hubs on it), typed here or
 * uploaded as a CSV / XLSX of Pallet SSCC, Pallet ID, Device ID. Central checks it against the
 * booking; the dock gets it with the booking and expects the delivery pallet by pallet.
 */
export function PortalDispatchPage() {
  const bookings = useList<PortalBooking>("/portal/bookings");
  const open = bookings.rows.filter((b) => b.status === "authorised");
  const [ref, setRef] = useState("");
  const booking = ref || open[0]?.bookingRef || "";
  const dispatch = useView<PortalDispatch | null>(
    booking === "" ? null : `/portal/bookings/${encodeURIComponent(booking)}/dispatch`,
  );
  const current = dispatch.data;

  const [sentAt, setSentAt] = useState("");
  const [signifier, setSignifier] = useState("");
  const [mode, setMode] = useState<"file" | "entry">("file");
  const [file, setFile] = useState<File | null>(null);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [pallets, setPallets] = useState<PalletEntry[]>([emptyPallet()]);
  const [saved, setSaved] = useState<PortalDispatch | null>(null);
  const fileId = useId();

  const send = useSubmit(
    async () => {
      const base = { sentAt: isoOf(sentAt), partySignifier: signifier };
      const body =
        mode === "file" && file !== null
          ? { ...base, file: { fileName: file.name, contentBase64: await fileBase64(file) } }
          : {
              ...base,
              pallets: pallets.map((p) => ({
                sscc: p.sscc.trim(),
                palletId: p.palletId.trim(),
                deviceIds: p.hubs
                  .split(/[\s,;]+/)
                  .map((h) => h.trim().toUpperCase())
                  .filter((h) => h !== "")
                  .map((h) => (/^[0-9A-F]{16}$/.test(h) ? (h.match(/../g) ?? []).join("-") : h.replace(/:/g, "-"))),
              })),
            };
      return api<PortalDispatch>("POST", `/portal/bookings/${encodeURIComponent(booking)}/dispatch`, body);
    },
    (d) => {
      setSaved(d);
      dispatch.reload();
    },
  );
  const setPallet = (i: number, p: Partial<PalletEntry>) =>
    setPallets((ps) => ps.map((x, j) => (j === i ? { ...x, ...p } : x)));

  return (
    <main>
      <h1>Dispatch document</h1>
      <p>
        When the delivery leaves you, tell the DCC what is on each pallet: the dock then expects it pallet by pallet.{" "}
        <a href="/desk/api/portal/dispatch-template.csv" download>
          Download the dispatch file layout (CSV)
        </a>
        : one row per hub, with the pallet's SSCC, your pallet ID and the hub's Device ID.
      </p>
      <RefusalBox refusal={bookings.refusal} />
      {open.length === 0 ? (
        <p>No booking awaits delivery: a dispatch document goes with a booking before it arrives.</p>
      ) : (
        <form onSubmit={(e) => void send.submit(e)} aria-labelledby="dispatch-h">
          <h2 id="dispatch-h">Send a dispatch document</h2>
          <Select
            label="Booking"
            value={booking}
            onChange={(v) => {
              setRef(v);
              setSaved(null);
            }}
            options={open.map((b) => ({
              value: b.bookingRef,
              label: `${b.bookingRef} (${b.deliveryDate}, ${b.hubs} hubs on ${b.pallets} pallet${b.pallets === 1 ? "" : "s"})`,
            }))}
          />
          <Field label="Sent (date and time)" type="datetime-local" value={sentAt} onChange={setSentAt} />
          <Field
            label="Your signifier for this dispatch"
            value={signifier}
            onChange={setSignifier}
            hint="Your own reference, e.g. your despatch note number"
          />
          <fieldset>
            <legend>The pallets</legend>
            <label className="check">
              <input type="radio" name="mode" checked={mode === "file"} onChange={() => setMode("file")} /> Upload a
              file (CSV or XLSX)
            </label>
            <label className="check">
              <input type="radio" name="mode" checked={mode === "entry"} onChange={() => setMode("entry")} /> Type them
              here
            </label>
          </fieldset>
          {mode === "file" ? (
            <div className="field">
              <label htmlFor={fileId}>Dispatch file (XLSX or CSV, at most 2 MiB)</label>
              <input
                id={fileId}
                type="file"
                accept=".xlsx,.csv"
                onChange={(e) => {
                  const f = e.target.files?.[0] ?? null;
                  setFileProblem(
                    f !== null && f.size > MAX_UPLOAD_BYTES
                      ? `${f.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`
                      : null,
                  );
                  setFile(f !== null && f.size <= MAX_UPLOAD_BYTES ? f : null);
                }}
              />
              {fileProblem ? (
                <p className="refusal" role="alert">
                  {fileProblem}
                </p>
              ) : null}
            </div>
          ) : (
            pallets.map((p, i) => (
              <fieldset key={i}>
                <legend>Pallet {i + 1}</legend>
                <Field label={`Pallet ${i + 1} SSCC`} value={p.sscc} onChange={(v) => setPallet(i, { sscc: v })} />
                <Field
                  label={`Pallet ${i + 1} ID (yours)`}
                  value={p.palletId}
                  onChange={(v) => setPallet(i, { palletId: v })}
                />
                <div className="field">
                  <label htmlFor={`${fileId}-hubs-${i}`}>Pallet {i + 1} hubs (Device IDs, one a line)</label>
                  <textarea
                    id={`${fileId}-hubs-${i}`}
                    rows={4}
                    value={p.hubs}
                    onChange={(e) => setPallet(i, { hubs: e.target.value })}
                  />
                </div>
              </fieldset>
            ))
          )}
          {mode === "entry" ? (
            <p>
              <button type="button" className="link" onClick={() => setPallets((ps) => [...ps, emptyPallet()])}>
                Add a pallet
              </button>
            </p>
          ) : null}
          <RefusalBox refusal={send.refusal} />
          {saved !== null && send.refusal === null ? (
            <Notice>
              <p>
                Dispatch document {saved.partySignifier} stored for booking {saved.bookingRef}: {saved.pallets.length}{" "}
                pallet{saved.pallets.length === 1 ? "" : "s"},{" "}
                {saved.pallets.reduce((k, x) => k + x.deviceIds.length, 0)} hubs. The dock has it at its next sync.
              </p>
            </Notice>
          ) : null}
          <button
            type="submit"
            disabled={send.busy || booking === "" || (mode === "file" && file === null) || sentAt === ""}
          >
            Send dispatch document
          </button>
        </form>
      )}
      {current !== null ? (
        <table>
          <caption>
            Dispatch document {current.partySignifier} for {current.bookingRef}, sent{" "}
            {current.sentAt.slice(0, 16).replace("T", " ")} UTC
            {current.check.notListed > 0 ? ` (${current.check.notListed} booked hubs not listed)` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col">Pallet SSCC</th>
              <th scope="col">Your pallet ID</th>
              <th scope="col">Hubs sent</th>
              <th scope="col">Hubs booked on it</th>
            </tr>
          </thead>
          <tbody>
            {current.check.pallets.map((p) => (
              <tr key={p.sscc}>
                <td className="nowrap">{p.sscc}</td>
                <td>{p.palletId}</td>
                <td>{p.hubs}</td>
                <td>{p.booked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
