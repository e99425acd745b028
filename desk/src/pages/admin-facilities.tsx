import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, Select, useList, useSubmit } from "../components";
import type { FacilityRow } from "../../../shared/desk-api";

export function FacilitiesTab() {
  const list = useList<FacilityRow>("/facilities");
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [csp, setCsp] = useState("North");
  const [capacity, setCapacity] = useState("5");
  const [address, setAddress] = useState("");
  const add = useSubmit(
    () => api("POST", "/facilities", { id, name, csp, maxPallets: Number(capacity), address }),
    () => {
      setId("");
      setName("");
      setAddress("");
      list.reload();
    },
  );
  return (
    <section aria-labelledby="facilities-h">
      <h2 id="facilities-h">Re-flash facilities</h2>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} facilit{list.rows.length === 1 ? "y" : "ies"}
        </caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Name</th>
            <th scope="col">CSP</th>
            <th scope="col">Stores at most</th>
            <th scope="col">Address</th>
            <th scope="col">Delivery location</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((f) => (
            <tr key={f.id}>
              <td>{f.id}</td>
              <td>{f.name}</td>
              <td>{f.csp}</td>
              <td>{f.maxPallets} pallets</td>
              <td>{f.address}</td>
              <td>{f.locations.map((l) => l.id).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void add.submit(e)} aria-labelledby="add-facility-h">
        <h3 id="add-facility-h">Add a facility</h3>
        <Field
          label="Facility ID"
          value={id}
          onChange={(v) => setId(v.toUpperCase())}
          hint="Parties deliver to its location LOC-<ID>"
        />
        <Field label="Facility name" value={name} onChange={setName} />
        <Select
          label="CSP"
          value={csp}
          onChange={setCsp}
          options={[
            { value: "North", label: "North" },
            { value: "CentralSouth", label: "Central & South" },
          ]}
        />
        <Field label="Capacity (pallets)" type="number" value={capacity} onChange={setCapacity} />
        <Field label="Address" value={address} onChange={setAddress} />
        <RefusalBox refusal={add.refusal} />
        <button type="submit" disabled={add.busy}>
          Add facility
        </button>
      </form>
    </section>
  );
}
