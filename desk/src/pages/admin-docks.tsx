import { useState } from "react";
import { api, type Refusal } from "../api";
import { Field, Notice, RefusalBox, Select, useList, useSubmit } from "../components";
import type { DockRow, FacilityRow } from "../../../shared/desk-api";

export function DocksTab() {
  const list = useList<DockRow>("/docks");
  const facilities = useList<FacilityRow>("/facilities");
  const [id, setId] = useState("");
  const [facilityId, setFacilityId] = useState("");
  const [name, setName] = useState("");
  const chosen = facilityId || facilities.rows[0]?.id || "";
  const add = useSubmit(
    () => api("POST", "/docks", { id, facilityId: chosen, name }),
    () => {
      setId("");
      setName("");
      list.reload();
    },
  );
  const [shown, setShown] = useState<{ dockId: string; token: string } | null>(null);
  const [code, setCode] = useState<{ dockId: string; code: string; expiresAt: string } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const tokenAction = async (dockId: string, action: "token" | "revoke") => {
    const r = await api<{ dockId: string; token?: string }>("POST", `/docks/${encodeURIComponent(dockId)}/${action}`);
    if (!r.ok) {
      setRefusal(r.refusal);
      return;
    }
    setRefusal(null);
    setCode(null);
    setShown(r.data.token !== undefined ? { dockId, token: r.data.token } : null);
    list.reload();
  };
  const enrolmentCode = async (dockId: string) => {
    const r = await api<{ dockId: string; code: string; expiresAt: string }>(
      "POST",
      `/docks/${encodeURIComponent(dockId)}/enrolment`,
    );
    if (!r.ok) {
      setRefusal(r.refusal);
      return;
    }
    setRefusal(null);
    setShown(null);
    setCode(r.data);
  };
  return (
    <section aria-labelledby="docks-h">
      <h2 id="docks-h">Docks and their tokens</h2>
      {shown ? (
        <Notice>
          <p>
            New token for <strong>{shown.dockId}</strong>. Copy it into the dock's <code>DOCK_CENTRAL_TOKEN</code> now:
            it is not shown again.
          </p>
          <p>
            <code className="token" aria-label={`token for ${shown.dockId}`}>
              {shown.token}
            </code>
          </p>
        </Notice>
      ) : null}
      {code ? (
        <Notice>
          <p>
            Enrolment code for <strong>{code.dockId}</strong>, valid once until{" "}
            {code.expiresAt.slice(0, 16).replace("T", " ")} UTC. Type it in at the dock (it trades it for its token;
            earlier tokens stop working):
          </p>
          <p>
            <code className="token" aria-label={`enrolment code for ${code.dockId}`}>
              {code.code}
            </code>
          </p>
        </Notice>
      ) : null}
      <RefusalBox refusal={refusal ?? list.refusal} />
      <table>
        <caption>
          {list.rows.length} dock{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Facility</th>
            <th scope="col">Name</th>
            <th scope="col">Token</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((d) => {
            const active = d.tokens.filter((t) => t.revokedAt === null).length;
            return (
              <tr key={d.id}>
                <td>{d.id}</td>
                <td>{d.facilityId}</td>
                <td>{d.name}</td>
                <td>{active > 0 ? "active" : d.tokens.length > 0 ? "revoked" : "none issued"}</td>
                <td>
                  <div className="actions">
                    <button type="button" onClick={() => void enrolmentCode(d.id)}>
                      Enrolment code for {d.id}
                    </button>
                    <button type="button" onClick={() => void tokenAction(d.id, "token")}>
                      {active > 0 ? `Rotate token of ${d.id}` : `Issue token for ${d.id}`}
                    </button>
                    {active > 0 ? (
                      <button type="button" className="danger" onClick={() => void tokenAction(d.id, "revoke")}>
                        Revoke token of {d.id}
                      </button>
                    ) : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form onSubmit={(e) => void add.submit(e)} aria-labelledby="add-dock-h">
        <h3 id="add-dock-h">Add a dock</h3>
        <Field label="Dock ID" value={id} onChange={(v) => setId(v.toUpperCase())} />
        <Select
          label="Facility"
          value={chosen}
          onChange={setFacilityId}
          options={facilities.rows.map((f) => ({ value: f.id, label: `${f.id} (${f.name})` }))}
        />
        <Field label="Dock name" value={name} onChange={setName} hint="e.g. receiving PC" />
        <RefusalBox refusal={add.refusal} />
        <button type="submit" disabled={add.busy || chosen === ""}>
          Add dock
        </button>
      </form>
    </section>
  );
}
