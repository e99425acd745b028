import { useState } from "react";
import { api } from "../api";
import { Field, Notice, RefusalBox, useSubmit } from "../components";
import type { Me } from "../../../shared/desk-api";

/** A person's own account: who they are, and a new password (their other sessions end). */
export function Account({ me }: { me: Me }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState(false);
  const change = useSubmit(
    async () => {
      setDone(false);
      if (next !== again)
        return {
          ok: false as const,
          refusal: { status: 400, reason: "the two new passwords differ", issues: [], rows: [] },
        };
      return api("POST", "/password", { current, next });
    },
    () => {
      setCurrent("");
      setNext("");
      setAgain("");
      setDone(true);
    },
  );
  return (
    <main>
      <h1>Your account</h1>
      <dl>
        <dt>Name</dt>
        <dd>{me.name}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>
          {me.role === "party-user"
            ? `Party user, ${me.partyName ?? me.partyId}`
            : me.role === "dcc-admin"
              ? "DCC admin"
              : "DCC operations"}
        </dd>
      </dl>
      <form onSubmit={(e) => void change.submit(e)} aria-labelledby="pw-h">
        <h2 id="pw-h">Change your password</h2>
        <Field
          label="Current password"
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
        />
        <Field
          label="New password"
          type="password"
          value={next}
          onChange={setNext}
          hint="At least 12 characters. Your other sessions end."
          autoComplete="new-password"
        />
        <Field
          label="New password again"
          type="password"
          value={again}
          onChange={setAgain}
          autoComplete="new-password"
        />
        <RefusalBox refusal={change.refusal} />
        {done ? (
          <Notice>
            <p>Your password is changed.</p>
          </Notice>
        ) : null}
        <button type="submit" disabled={change.busy}>
          Change password
        </button>
      </form>
    </main>
  );
}
