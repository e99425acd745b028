import { useEffect, useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, useSubmit } from "../components";
import type { Me } from "../../../shared/desk-api";

/** The one-time page the setup command's link opens: it creates the first DCC admin. */
export function Setup({ token, onSignedIn }: { token: string; onSignedIn: (me: Me) => void }) {
  const [held] = useState(token);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  // The token leaves the address bar (and the history) as soon as it is read.
  useEffect(() => {
    history.replaceState(null, "", "/desk/setup");
  }, []);
  const { refusal, busy, submit } = useSubmit(async () => {
    if (password !== again)
      return { ok: false as const, refusal: { status: 400, reason: "the two passwords differ", issues: [], rows: [] } };
    return api<Me>("POST", "/setup", { token: held, name, email, password });
  }, onSignedIn);
  if (held === "")
    return (
      <main className="narrow">
        <h1>Set up the desk</h1>
        <p role="alert">
          This link has no setup token. Run <code>npm run desk:setup</code> and open the link it prints.
        </p>
      </main>
    );
  return (
    <main className="narrow">
      <h1>Set up the desk: the first DCC admin</h1>
      <p>This link works once. The admin then adds everyone else on the People page.</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Your name" value={name} onChange={setName} autoComplete="name" />
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          hint="At least 12 characters."
          autoComplete="new-password"
        />
        <Field label="Password again" type="password" value={again} onChange={setAgain} autoComplete="new-password" />
        <RefusalBox refusal={refusal} />
        <button type="submit" disabled={busy}>
          Create the admin and sign in
        </button>
      </form>
    </main>
  );
}
