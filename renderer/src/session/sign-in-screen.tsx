import { useState, type FormEvent } from "react";
import { OperatorRoleSchema, type OperatorRole } from "../../../shared/events";
import { useDock } from "../store/store-context";

/** Operator sign-in with role: every event afterwards carries this operator. */
export function SignInScreen() {
  const signIn = useDock((s) => s.signIn);
  const error = useDock((s) => s.sessionError);
  const showScreen = useDock((s) => s.showScreen);
  const [operatorId, setOperatorId] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<OperatorRole>("receiver");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void signIn(operatorId, name, role);
  };
  return (
    <main>
      <form className="panel sign-in" onSubmit={submit} aria-label="sign in">
        <h1>Sign in</h1>
        <label>
          Operator ID
          <input
            name="operatorId"
            autoFocus
            value={operatorId}
            onChange={(e) => setOperatorId(e.target.value)}
            autoComplete="off"
          />
        </label>
        <label>
          Name
          <input name="operatorName" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(e) => setRole(OperatorRoleSchema.parse(e.target.value))}>
            {OperatorRoleSchema.options.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {error && <p className="form-error">{error}</p>}
        <button type="submit">Sign in</button>
        <button type="button" onClick={() => showScreen("scanner-setup")}>
          Scanner set-up
        </button>
      </form>
    </main>
  );
}
