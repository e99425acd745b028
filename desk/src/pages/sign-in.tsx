import { useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, useSubmit } from "../components";
import type { Me } from "../../../shared/desk-api";

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { refusal, busy, submit } = useSubmit(() => api<Me>("POST", "/sign-in", { email, password }), onSignedIn);
  return (
    <main className="narrow">
      <h1>Sign in to the DCC Re-Flash desk</h1>
      <p>For DCC staff and the Parties' users. Docks sign in on the dock app, not here.</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        <RefusalBox refusal={refusal} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
