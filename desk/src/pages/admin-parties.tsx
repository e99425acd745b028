import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, Select, useList, useSubmit } from "../components";
import type { PartyRow } from "../../../shared/desk-api";

export function PartiesTab() {
  const list = useList<PartyRow>("/parties");
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const party = useSubmit(
    () => api("POST", "/parties", { id, name, email }),
    () => {
      setId("");
      setName("");
      setEmail("");
      list.reload();
    },
  );
  const [partyId, setPartyId] = useState("");
  const [locId, setLocId] = useState("");
  const [locName, setLocName] = useState("");
  const [address, setAddress] = useState("");
  const chosen = partyId || list.rows[0]?.id || "";
  const location = useSubmit(
    () => api("POST", `/parties/${encodeURIComponent(chosen)}/locations`, { id: locId, name: locName, address }),
    () => {
      setLocId("");
      setLocName("");
      setAddress("");
      list.reload();
    },
  );
  return (
    <section aria-labelledby="parties-h">
      <h2 id="parties-h">Parties and their re-delivery locations</h2>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} Part{list.rows.length === 1 ? "y" : "ies"}
        </caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Name</th>
            <th scope="col">Notices to</th>
            <th scope="col">Re-delivery locations</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((p) => (
            <tr key={p.id}>
              <td>{p.id}</td>
              <td>{p.name}</td>
              <td>{p.email}</td>
              <td>
                {p.locations.length === 0 ? (
                  <em>none yet</em>
                ) : (
                  <ul className="plain">
                    {p.locations.map((l) => (
                      <li key={l.id}>
                        <strong>{l.id}</strong> {l.name}, {l.address}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="forms">
        <form onSubmit={(e) => void party.submit(e)} aria-labelledby="add-party-h">
          <h3 id="add-party-h">Add a Party</h3>
          <Field
            label="Party ID"
            value={id}
            onChange={(v) => setId(v.toUpperCase())}
            hint="Capital letters, digits, - (e.g. SUPPLIER-D)"
          />
          <Field label="Party name" value={name} onChange={setName} />
          <Field label="Email for notices" type="email" value={email} onChange={setEmail} />
          <RefusalBox refusal={party.refusal} />
          <button type="submit" disabled={party.busy}>
            Add Party
          </button>
        </form>
        <form onSubmit={(e) => void location.submit(e)} aria-labelledby="add-loc-h">
          <h3 id="add-loc-h">Add a re-delivery location</h3>
          <Select
            label="Party"
            value={chosen}
            onChange={setPartyId}
            options={list.rows.map((p) => ({ value: p.id, label: `${p.id} (${p.name})` }))}
          />
          <Field label="Location ID" value={locId} onChange={(v) => setLocId(v.toUpperCase())} />
          <Field label="Location name" value={locName} onChange={setLocName} />
          <Field label="Address" value={address} onChange={setAddress} />
          <RefusalBox refusal={location.refusal} />
          <button type="submit" disabled={location.busy || chosen === ""}>
            Add location
          </button>
        </form>
      </div>
    </section>
  );
}
