import { useState } from "react";
import { api, type Refusal } from "../api";
import { Field, RefusalBox, Select, useList, useSubmit } from "../components";
import type { PartyRow, PersonRow } from "../../../shared/desk-api";

const ROLE_LABEL: Record<string, string> = {
  "dcc-admin": "DCC admin",
  "dcc-ops": "DCC operations",
  "party-user": "Party user",
};

export function PeopleTab() {
  const list = useList<PersonRow>("/people");
  const parties = useList<PartyRow>("/parties");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("party-user");
  const [partyId, setPartyId] = useState("");
  const [password, setPassword] = useState("");
  const chosenParty = partyId || parties.rows[0]?.id || "";
  const add = useSubmit(
    () => api("POST", "/people", { name, email, role, partyId: role === "party-user" ? chosenParty : null, password }),
    () => {
      setName("");
      setEmail("");
      setPassword("");
      list.reload();
    },
  );
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const setActive = async (p: PersonRow) => {
    const r = await api("PATCH", `/people/${encodeURIComponent(p.id)}`, { active: !p.active });
    setRefusal(r.ok ? null : r.refusal);
    list.reload();
  };
  return (
    <section aria-labelledby="people-h">
      <h2 id="people-h">People's accounts</h2>
      <RefusalBox refusal={refusal ?? list.refusal} />
      <table>
        <caption>
          {list.rows.length} account{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Party</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{p.email}</td>
              <td>{ROLE_LABEL[p.role]}</td>
              <td>{p.partyId ?? "–"}</td>
              <td>
                {!p.active
                  ? "deactivated"
                  : p.lockedUntil !== null && new Date(p.lockedUntil) > new Date()
                    ? `locked until ${p.lockedUntil.slice(11, 16)} UTC`
                    : "active"}
              </td>
              <td>{p.lastSignInAt === null ? "never" : p.lastSignInAt.slice(0, 16).replace("T", " ")}</td>
              <td>
                <button
                  type="button"
                  className={p.active ? "danger" : ""}
                  aria-label={p.active ? `Deactivate ${p.email}` : `Reactivate ${p.email}`}
                  onClick={() => void setActive(p)}
                >
                  {p.active ? "Deactivate" : "Reactivate"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void add.submit(e)} aria-labelledby="add-person-h">
        <h3 id="add-person-h">Add an account</h3>
        <Field label="Full name" value={name} onChange={setName} />
        <Field label="Email" type="email" value={email} onChange={setEmail} />
        <Select
          label="Role"
          value={role}
          onChange={setRole}
          options={Object.entries(ROLE_LABEL).map(([value, label]) => ({ value, label }))}
        />
        {role === "party-user" ? (
          <Select
            label="Party"
            value={chosenParty}
            onChange={setPartyId}
            options={parties.rows.map((p) => ({ value: p.id, label: `${p.id} (${p.name})` }))}
          />
        ) : null}
        <Field
          label="First password"
          type="password"
          value={password}
          onChange={setPassword}
          hint="At least 12 characters; give it to them by another channel."
          autoComplete="new-password"
        />
        <RefusalBox refusal={add.refusal} />
        <button type="submit" disabled={add.busy}>
          Add account
        </button>
      </form>
    </section>
  );
}
