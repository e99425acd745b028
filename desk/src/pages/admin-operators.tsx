import { useId, useState } from "react";
import { api, type Refusal } from "../api";
import { Field, RefusalBox, Select, useList, useSubmit } from "../components";
import type { FacilityRow, OperatorRow } from "../../../shared/desk-api";

const ROLES = ["receiver", "technician", "supervisor"] as const;

export function OperatorsTab() {
  const list = useList<OperatorRow>("/operators");
  const facilities = useList<FacilityRow>("/facilities");
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [facilityId, setFacilityId] = useState("");
  const [roles, setRoles] = useState<string[]>(["receiver"]);
  const [firstPin, setFirstPin] = useState("");
  const chosen = facilityId || facilities.rows[0]?.id || "";
  const add = useSubmit(
    () => api("POST", "/operators", { id, name, facilityId: chosen, roles, ...(firstPin ? { pin: firstPin } : {}) }),
    () => {
      setId("");
      setName("");
      setFirstPin("");
      list.reload();
    },
  );
  const [pinFor, setPinFor] = useState<string | null>(null);
  const [newPin, setNewPin] = useState("");
  const [pinDone, setPinDone] = useState<string | null>(null);
  const savePin = useSubmit(
    () => api("POST", `/operators/${encodeURIComponent(pinFor ?? "")}/pin`, { pin: newPin }),
    () => {
      setPinDone(
        `PIN set for ${pinFor ?? ""}. Their facility's docks take it at their next sync; the old PIN stops working then.`,
      );
      setPinFor(null);
      setNewPin("");
      list.reload();
    },
  );
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const setActive = async (o: OperatorRow) => {
    const r = await api("PATCH", `/operators/${encodeURIComponent(o.id)}`, { active: !o.active });
    setRefusal(r.ok ? null : r.refusal);
    list.reload();
  };
  const rolesId = useId();
  return (
    <section aria-labelledby="operators-h">
      <h2 id="operators-h">Dock operators</h2>
      <p>Operators sign in at their facility's dock; docks pull every change here.</p>
      <RefusalBox refusal={refusal ?? list.refusal} />
      {pinDone ? <p role="status">{pinDone}</p> : null}
      <table>
        <caption>
          {list.rows.length} operator{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Name</th>
            <th scope="col">Facility</th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">PIN</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((o) => (
            <tr key={o.id}>
              <td>{o.id}</td>
              <td>{o.name}</td>
              <td>{o.facilityId}</td>
              <td>{o.roles.join(", ")}</td>
              <td>{o.active ? "active" : "deactivated"}</td>
              <td>
                {o.pinSetAt ? `set ${new Date(o.pinSetAt).toLocaleDateString("en-GB")}` : "not set: cannot sign in"}
              </td>
              <td>
                <button
                  type="button"
                  className={o.active ? "danger" : ""}
                  aria-label={o.active ? `Deactivate ${o.id}` : `Reactivate ${o.id}`}
                  onClick={() => void setActive(o)}
                >
                  {o.active ? "Deactivate" : "Reactivate"}
                </button>{" "}
                <button
                  type="button"
                  aria-label={o.pinSetAt ? `Reset PIN of ${o.id}` : `Set PIN of ${o.id}`}
                  onClick={() => {
                    setPinFor(o.id);
                    setNewPin("");
                    setPinDone(null);
                  }}
                >
                  {o.pinSetAt ? "Reset PIN" : "Set PIN"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pinFor !== null ? (
        <form onSubmit={(e) => void savePin.submit(e)} aria-labelledby="pin-h">
          <h3 id="pin-h">Set the PIN of {pinFor}</h3>
          <Field
            label={`New PIN for ${pinFor}`}
            type="password"
            value={newPin}
            onChange={setNewPin}
            autoComplete="new-password"
            hint="4 to 12 digits. Tell the operator in person; it is never shown again."
          />
          <RefusalBox refusal={savePin.refusal} />
          <button type="submit" disabled={savePin.busy}>
            Save PIN
          </button>{" "}
          <button type="button" onClick={() => setPinFor(null)}>
            Cancel
          </button>
        </form>
      ) : null}
      <form onSubmit={(e) => void add.submit(e)} aria-labelledby="add-op-h">
        <h3 id="add-op-h">Add an operator</h3>
        <Field
          label="Operator ID"
          value={id}
          onChange={(v) => setId(v.toUpperCase())}
          hint="What they type or scan to sign in at the dock"
        />
        <Field label="Operator name" value={name} onChange={setName} />
        <Field
          label="First PIN"
          type="password"
          value={firstPin}
          onChange={setFirstPin}
          required={false}
          autoComplete="new-password"
          hint="4 to 12 digits; optional now, but the operator cannot sign in at a dock until a PIN is set"
        />
        <Select
          label="Facility"
          value={chosen}
          onChange={setFacilityId}
          options={facilities.rows.map((f) => ({ value: f.id, label: `${f.id} (${f.name})` }))}
        />
        <fieldset aria-describedby={rolesId}>
          <legend>Roles</legend>
          {ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))}
              />{" "}
              {r}
            </label>
          ))}
          <small id={rolesId}>A supervisor usually has all three.</small>
        </fieldset>
        <RefusalBox refusal={add.refusal} />
        <button type="submit" disabled={add.busy || chosen === ""}>
          Add operator
        </button>
      </form>
    </section>
  );
}
