import { useId, useState } from "react";
import { api, fileBase64, type Refusal } from "../api";
import { Notice, RefusalBox } from "../components";
import { MAX_UPLOAD_BYTES, type InventoryImportResult } from "../../../shared/desk-api";

export function InventoryTab() {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<(InventoryImportResult & { fileName: string }) | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (file === null) return;
    setResult(null);
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
    const r = await api<InventoryImportResult>("POST", "/inventory/import", {
      fileName: file.name,
      contentBase64: await fileBase64(file),
    });
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      setResult({ ...r.data, fileName: file.name });
    } else setRefusal(r.refusal);
  };
  return (
    <section aria-labelledby="inv-h">
      <h2 id="inv-h">SMI inventory import</h2>
      <p>
        A CSV exported from the Smart Metering Inventory with the columns DeviceID, GPFDeviceID, DeviceType,
        Manufacturer, DeviceModel, FirmwareVersion, SMIStatus, AssignedParty, CSPRegion. A file with any bad row changes
        nothing; importing the same file again changes nothing.
      </p>
      <form onSubmit={(e) => void send(e)}>
        <div className="field">
          <label htmlFor={inputId}>Inventory CSV file</label>
          <input
            id={inputId}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" disabled={busy || file === null}>
          Import
        </button>
      </form>
      <RefusalBox refusal={refusal} />
      {result ? (
        <Notice>
          <p>
            Imported {result.fileName}: {result.rows} records, {result.added} added, {result.updated} updated,{" "}
            {result.unchanged} unchanged.
          </p>
        </Notice>
      ) : null}
    </section>
  );
}
