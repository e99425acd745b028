import { useId, useState } from "react";
import { api, apiUpload, type Refusal } from "../api";
import { Field, Notice, RefusalBox, useView } from "../components";
import type { DeskFirmwareUpload, DeskFirmwareView } from "../../../shared/desk-api";

const kib = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const short = (sha: string) => `${sha.slice(0, 12)}…${sha.slice(-6)}`;

/**
 * The firmware catalogue (issues 19/20): upload an image (central hashes it), publish it
 * (central signs the entry with its own key; docks fetch it at their next pull), withdraw a
 * version (docks stop flashing it at their next pull; central stops sending it).
 */
export function FirmwareTab() {
  const { data: view, refusal: loadRefusal, reload } = useView<DeskFirmwareView>("/firmware");

  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (path: string, what: string) => {
    setDone(null);
    const r = await api("POST", path);
    if (r.ok) {
      setRefusal(null);
      setDone(what);
      reload();
    } else setRefusal(r.refusal);
  };

  return (
    <>
      <h2>Firmware catalogue</h2>
      <p>
        Docks download each production image from central and check its SHA-256 and central&apos;s Ed25519 signature
        before a jig may flash it. Central signs an entry when it is published here; no dock holds a signing key.
        {view !== null ? (
          view.signingKeyId === null ? (
            <strong> This central has no signing key: images can be uploaded but not published.</strong>
          ) : (
            <> Signing key: {view.signingKeyId}.</>
          )
        ) : null}
      </p>
      <RefusalBox refusal={loadRefusal} />
      <UploadForm maxBytes={view?.maxImageBytes ?? null} onUploaded={reload} />
      <RefusalBox refusal={refusal} />
      {done !== null ? (
        <Notice>
          <p>{done}</p>
        </Notice>
      ) : null}
      {view !== null && view.uploads.length > 0 ? (
        <Uploads
          uploads={view.uploads}
          canPublish={view.signingKeyId !== null}
          onPublish={(u) =>
            void act(
              `/firmware/uploads/${u.deviceModel}/${u.version}/publish`,
              `Published ${u.version} for model ${u.deviceModel}; docks fetch it at their next pull.`,
            )
          }
          onDiscard={(u) =>
            void act(
              `/firmware/uploads/${u.deviceModel}/${u.version}/discard`,
              `Discarded the upload of ${u.version} for model ${u.deviceModel}.`,
            )
          }
        />
      ) : null}
      {view !== null ? (
        <table>
          <caption>Catalogue (what docks pull)</caption>
          <thead>
            <tr>
              <th scope="col">Device Model</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Size</th>
              <th scope="col">Released</th>
              <th scope="col">Image at central</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {view.catalogue.map((e) => (
              <tr key={`${e.deviceModel}/${e.version}`}>
                <td>{e.deviceModel}</td>
                <td>{e.version}</td>
                <td>{e.status === "production" ? "Production" : "Withdrawn"}</td>
                <td>
                  <code title={e.sha256}>{short(e.sha256)}</code>
                </td>
                <td>{kib(e.sizeBytes)}</td>
                <td>{e.releasedAt.slice(0, 10)}</td>
                <td>{e.imageHeld ? "held" : "missing"}</td>
                <td>
                  {e.status === "production" ? (
                    <button
                      type="button"
                      onClick={() => {
                        if (
                          window.confirm(
                            `Withdraw firmware ${e.version} for model ${e.deviceModel}? Docks stop flashing it at their next pull.`,
                          )
                        )
                          void act(
                            `/firmware/${e.deviceModel}/${e.version}/withdraw`,
                            `Withdrew ${e.version} for model ${e.deviceModel}; docks stop flashing it at their next pull.`,
                          );
                      }}
                    >
                      Withdraw {e.version}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function UploadForm({ maxBytes, onUploaded }: { maxBytes: number | null; onUploaded: () => void }) {
  const fileId = useId();
  const [model, setModel] = useState("");
  const [version, setVersion] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [result, setResult] = useState<{ sha256: string; sizeBytes: number; version: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (file === null) return;
    setResult(null);
    if (maxBytes !== null && file.size > maxBytes) {
      setRefusal({
        status: 413,
        reason: `${file.name} is larger than central accepts (${kib(maxBytes)})`,
        issues: [],
        rows: [],
      });
      return;
    }
    setBusy(true);
    const q = new URLSearchParams({
      model: model.trim().toUpperCase(),
      version: version.trim().toUpperCase(),
      fileName: file.name,
    });
    const r = await apiUpload<{ sha256: string; sizeBytes: number; version: string }>(`/firmware/uploads?${q}`, file);
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      setResult(r.data);
      onUploaded();
    } else setRefusal(r.refusal);
  };
  return (
    <form onSubmit={(e) => void send(e)} aria-labelledby="fw-up-h">
      <h3 id="fw-up-h">Upload an image</h3>
      <div className="grid">
        <Field label="Device Model" value={model} onChange={setModel} hint="8 hex digits, e.g. 010A030B" />
        <Field label="Firmware version" value={version} onChange={setVersion} hint="8 hex digits, e.g. 00040000" />
        <div className="field">
          <label htmlFor={fileId}>Image file</label>
          <input id={fileId} type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
      </div>
      <RefusalBox refusal={refusal} />
      {result !== null ? (
        <Notice>
          <p>
            Uploaded {result.version}: {kib(result.sizeBytes)}, SHA-256 <code>{result.sha256}</code>. Check it against
            the manufacturer&apos;s release note, then publish it.
          </p>
        </Notice>
      ) : null}
      <button type="submit" disabled={busy || file === null}>
        Upload
      </button>
    </form>
  );
}

function Uploads(props: {
  uploads: DeskFirmwareUpload[];
  canPublish: boolean;
  onPublish: (u: DeskFirmwareUpload) => void;
  onDiscard: (u: DeskFirmwareUpload) => void;
}) {
  return (
    <table>
      <caption>Uploaded, not yet published (docks do not see these)</caption>
      <thead>
        <tr>
          <th scope="col">Device Model</th>
          <th scope="col">Version</th>
          <th scope="col">File</th>
          <th scope="col">SHA-256</th>
          <th scope="col">Size</th>
          <th scope="col">Uploaded</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {props.uploads.map((u) => (
          <tr key={`${u.deviceModel}/${u.version}`}>
            <td>{u.deviceModel}</td>
            <td>{u.version}</td>
            <td>{u.fileName}</td>
            <td>
              <code title={u.sha256}>{short(u.sha256)}</code>
            </td>
            <td>{kib(u.sizeBytes)}</td>
            <td>
              {u.uploadedAt.slice(0, 16).replace("T", " ")} by {u.uploadedBy}
            </td>
            <td className="actions">
              <button type="button" disabled={!props.canPublish} onClick={() => props.onPublish(u)}>
                Publish {u.version}
              </button>{" "}
              <button type="button" onClick={() => props.onDiscard(u)}>
                Discard {u.version}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
