import { useEffect, useId, useRef, useState } from "react";
import { api, fileBase64, type Refusal } from "../api";
import { Field, Notice, ProblemsTable, RefusalBox, Select, useList } from "../components";
import {
  MAX_UPLOAD_BYTES,
  type Me,
  type PortalOptions,
  type PortalOutcome,
  type RowProblem,
  type TemplateCheck,
  type Upload,
} from "../../../shared/desk-api";

interface RequestRow {
  requestId: string;
  status: string;
  deliveryDate: string;
  createdAt: string;
  reasons: number;
}

/** The Party portal: the DCC's template, the filled file checked row by row, then the request. */
export function Portal({ me }: { me: Me }) {
  const fileId = useId();
  const [options, setOptions] = useState<PortalOptions | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [check, setCheck] = useState<TemplateCheck | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [outcome, setOutcome] = useState<(PortalOutcome & { lines: RowProblem[] }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [facilityId, setFacilityId] = useState("");
  const [locationId, setLocationId] = useState("");
  const [date, setDate] = useState("");
  const [slot, setSlot] = useState("");
  const [redLocationId, setRedLocationId] = useState("");
  const [redDate, setRedDate] = useState("");
  const [redSlot, setRedSlot] = useState("");
  const [contactName, setContactName] = useState(me.name);
  const [contactEmail, setContactEmail] = useState(me.email);
  const [phone, setPhone] = useState("");
  const requests = useList<RequestRow>("/portal/requests");
  const partyLocations = useList<{ id: string; name: string; address: string }>("/portal/locations");
  const outcomeRef = useRef<HTMLDivElement>(null);
  // The outcome (or refusal) is announced and brought into view where the person is.
  useEffect(() => {
    if (outcome !== null) {
      outcomeRef.current?.focus();
      outcomeRef.current?.scrollIntoView({ block: "start" });
    }
  }, [outcome]);

  useEffect(() => {
    void api<PortalOptions>("GET", "/portal/options").then((r) => {
      if (r.ok) setOptions(r.data);
      else setRefusal(r.refusal);
    });
  }, []);
  const facility = options?.facilities.find((f) => f.id === facilityId) ?? options?.facilities[0];
  const location = facility?.locations.find((l) => l.id === locationId) ?? facility?.locations[0];
  const chosenSlot = options?.slots.find((s) => `${s.start}-${s.end}` === slot) ?? options?.slots[0];
  const redLocation = partyLocations.rows.find((l) => l.id === redLocationId) ?? partyLocations.rows[0];
  const redChosenSlot = options?.slots.find((s) => `${s.start}-${s.end}` === redSlot) ?? options?.slots[0];

  const choose = async (file: File | null) => {
    setCheck(null);
    setOutcome(null);
    setRefusal(null);
    setUpload(null);
    if (file === null) return;
    if (file.size === 0) {
      setRefusal({ status: 400, reason: `${file.name} is empty`, issues: [], rows: [] });
      return;
    }
    if (file.size > MAX_UPLOAD_BYTES) {
      setRefusal({
        status: 413,
        reason: `${file.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`,
        issues: [],
        rows: [],
      });
      return;
    }
    const u = { fileName: file.name, contentBase64: await fileBase64(file) };
    setUpload(u);
    setBusy(true);
    const r = await api<TemplateCheck>("POST", "/portal/check", u);
    setBusy(false);
    if (r.ok) setCheck(r.data);
    else setRefusal(r.refusal);
  };

  const submit = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (
      upload === null ||
      facility === undefined ||
      location === undefined ||
      chosenSlot === undefined ||
      redLocation === undefined ||
      redChosenSlot === undefined
    )
      return;
    setBusy(true);
    const r = await api<PortalOutcome & { lines: RowProblem[] }>("POST", "/portal/submit", {
      file: upload,
      clientRequestId: crypto.randomUUID(),
      details: {
        facilityId: facility.id,
        deliveryLocationId: location.id,
        deliveryDate: date,
        deliveryWindow: chosenSlot,
        redelivery: { locationId: redLocation.id, deliveryDate: redDate, deliveryWindow: redChosenSlot },
        contact: { name: contactName, email: contactEmail, phone },
      },
    });
    setBusy(false);
    if (r.ok) {
      setOutcome(r.data);
      setRefusal(null);
      requests.reload();
    } else {
      setRefusal(r.refusal);
      setOutcome(null);
    }
  };

  const ready = check !== null && check.problems.length === 0;
  return (
    <main>
      <h1>Re-flash requests for {me.partyName ?? me.partyId}</h1>
      <section aria-labelledby="tpl-h">
        <h2 id="tpl-h">1. Download the DCC request template</h2>
        <p>
          One row per Communications Hub: pallet SSCC (empty for a loose carton), carton SSCC, Device ID, firmware
          version, manufacturer and device model.
        </p>
        <p className="links">
          <a href="/desk/api/portal/template.xlsx" download>
            Download the template (XLSX)
          </a>
          <a href="/desk/api/portal/template.csv" download>
            Download the template (CSV)
          </a>
        </p>
      </section>
      <section aria-labelledby="up-h">
        <h2 id="up-h">2. Upload the filled template</h2>
        <div className="field">
          <label htmlFor={fileId}>Filled template (XLSX or CSV, at most 2 MiB)</label>
          <input
            id={fileId}
            type="file"
            accept=".xlsx,.csv"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              e.target.value = "";
              void choose(f);
            }}
          />
        </div>
        {busy && check === null ? <p role="status">Checking {upload?.fileName}…</p> : null}
        {check !== null ? (
          check.problems.length > 0 ? (
            <div className="refusal" role="alert">
              <p>
                {upload?.fileName}: {check.problems.length} row{check.problems.length === 1 ? "" : "s"} to fix before it
                can be submitted. Fix {check.problems.length === 1 ? "it" : "them"} in your file and upload it again.
              </p>
              <ProblemsTable problems={check.problems} />
            </div>
          ) : (
            <Notice>
              <p>
                {upload?.fileName}: {check.hubs} hubs in {check.cartons} carton{check.cartons === 1 ? "" : "s"} on{" "}
                {check.pallets} pallet{check.pallets === 1 ? "" : "s"}, no problems found.
              </p>
            </Notice>
          )
        ) : null}
      </section>
      <section aria-labelledby="del-h">
        <h2 id="del-h">3. Arrival, re-delivery and submit</h2>
        <form onSubmit={(e) => void submit(e)}>
          <h3>Arrival at the re-flash facility</h3>
          <p>When your delivery reaches the CSP's facility; the DCC confirms the slot.</p>
          <div className="grid">
            <Select
              label="Facility"
              value={facility?.id ?? ""}
              onChange={(v) => {
                setFacilityId(v);
                setLocationId("");
              }}
              options={(options?.facilities ?? []).map((f) => ({ value: f.id, label: f.name }))}
            />
            <Select
              label="Arrival location"
              value={location?.id ?? ""}
              onChange={setLocationId}
              options={(facility?.locations ?? []).map((l) => ({ value: l.id, label: l.name }))}
            />
            <Field label="Arrival date" type="date" value={date} onChange={setDate} />
            <Select
              label="Arrival window"
              value={chosenSlot ? `${chosenSlot.start}-${chosenSlot.end}` : ""}
              onChange={setSlot}
              options={(options?.slots ?? []).map((s) => ({
                value: `${s.start}-${s.end}`,
                label: `${s.start} to ${s.end}`,
              }))}
            />
          </div>
          <h3>Re-delivery of the re-flashed hubs</h3>
          <p>Where and when the hubs come back to you: one of your listed locations, within working hours.</p>
          <div className="grid">
            <Select
              label="Re-delivery location"
              value={redLocation?.id ?? ""}
              onChange={setRedLocationId}
              options={partyLocations.rows.map((l) => ({ value: l.id, label: `${l.name}, ${l.address}` }))}
            />
            <Field label="Re-delivery date" type="date" value={redDate} onChange={setRedDate} />
            <Select
              label="Re-delivery window"
              value={redChosenSlot ? `${redChosenSlot.start}-${redChosenSlot.end}` : ""}
              onChange={setRedSlot}
              options={(options?.slots ?? []).map((s) => ({
                value: `${s.start}-${s.end}`,
                label: `${s.start} to ${s.end}`,
              }))}
            />
          </div>
          <h3>Your contact</h3>
          <div className="grid">
            <Field label="Contact name" value={contactName} onChange={setContactName} />
            <Field label="Contact email" type="email" value={contactEmail} onChange={setContactEmail} />
            <Field label="Contact phone" type="tel" value={phone} onChange={setPhone} />
          </div>
          <button type="submit" disabled={!ready || busy}>
            Submit the request
          </button>
          {!ready ? <small className="why">Upload a template with no problems first.</small> : null}
        </form>
        <RefusalBox refusal={refusal} />
        <div ref={outcomeRef} tabIndex={-1} className="outcome">
          {outcome !== null ? <Outcome outcome={outcome} /> : null}
        </div>
      </section>
      <section aria-labelledby="req-h">
        <h2 id="req-h">Your requests</h2>
        <table>
          <caption>
            {requests.rows.length} request{requests.rows.length === 1 ? "" : "s"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Delivery date</th>
              <th scope="col">Sent (UTC)</th>
              <th scope="col">Reasons</th>
            </tr>
          </thead>
          <tbody>
            {requests.rows.map((r) => (
              <tr key={r.requestId}>
                <td>{r.requestId}</td>
                <td>{r.status}</td>
                <td>{r.deliveryDate}</td>
                <td>{r.createdAt.slice(0, 16).replace("T", " ")}</td>
                <td>{r.reasons}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

function Outcome({ outcome }: { outcome: PortalOutcome & { lines: RowProblem[] } }) {
  if (outcome.status === "accepted" && outcome.booking) {
    const b = outcome.booking;
    return (
      <Notice>
        <h3>Request {outcome.requestId} accepted</h3>
        <dl>
          <dt>Booking</dt>
          <dd>{b.bookingRef}</dd>
          <dt>Delivery reference</dt>
          <dd>{b.deliveryRef}</dd>
          <dt>Work Order</dt>
          <dd>{b.workOrderId}</dd>
          <dt>Label (GS1-128)</dt>
          <dd>
            <code>{b.label.hri}</code>
          </dd>
        </dl>
        <p>The booking label was also emailed to your Party's address.</p>
      </Notice>
    );
  }
  const general = outcome.reasons.filter((r) => !r.scope.startsWith("hub "));
  return (
    <div className="refusal" role="alert">
      <h3>Request {outcome.requestId} rejected</h3>
      {general.length > 0 ? (
        <ul>
          {general.map((r, i) => (
            <li key={i}>
              {r.scope === "request" ? "" : `${r.scope}: `}
              {r.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {outcome.lines.length > 0 ? (
        <ProblemsTable problems={outcome.lines} caption="Hubs the DCC refused, by line of your file" />
      ) : null}
    </div>
  );
}
