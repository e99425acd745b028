import { useEffect, useRef, useState, type FormEvent } from "react";
import type { OperatorRole } from "../../../shared/events";
import { useDock } from "../store/store-context";

/**
 * Operator sign-in: ID (typed, or a badge scanned: into the field, where the scanner's Enter moves
 * to the PIN, or from any scanner, which fills the field), then PIN.
 * The role is central's; an operator with several picks among theirs only.
 */
export function SignInScreen() {
  const signIn = useDock((s) => s.signIn);
  const error = useDock((s) => s.sessionError);
  const busy = useDock((s) => s.signingIn);
  const directory = useDock((s) => s.signInDirectory);
  const loadDirectory = useDock((s) => s.loadSignInDirectory);
  const showScreen = useDock((s) => s.showScreen);
  const operatorId = useDock((s) => s.signInId);
  const setOperatorId = useDock((s) => s.setSignInId);
  const badgeScans = useDock((s) => s.badgeScans);
  const [pin, setPin] = useState("");
  const [chosenRole, setChosenRole] = useState<OperatorRole | "">("");
  const pinRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void loadDirectory();
  }, [loadDirectory]);
  // A badge scanned from any scanner filled the ID: the PIN is next.
  useEffect(() => {
    if (badgeScans > 0) pinRef.current?.focus();
  }, [badgeScans]);
  const roles = directory?.operators.find((o) => o.operatorId === operatorId.trim())?.roles ?? [];
  const role = chosenRole !== "" && roles.includes(chosenRole) ? chosenRole : roles[0];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Enter in the ID field (a badge scan ends with it) moves to the PIN rather than signing in.
    void signIn(operatorId, pin, roles.length > 1 ? role : undefined).then((outcome) => {
      if (outcome === "need-pin") pinRef.current?.focus();
      else setPin("");
    });
  };
  return (
    <main>
      <form className="panel sign-in" onSubmit={submit} aria-label="sign in">
        <h1>Sign in</h1>
        {directory !== null && !directory.synced ? (
          <p className="form-error" role="alert">
            This dock has not received its operators from central yet, so nobody can sign in. Check that it is connected
            to the network; sign-in opens by itself after its first sync.
          </p>
        ) : null}
        <label>
          Operator ID
          <input
            name="operatorId"
            autoFocus
            value={operatorId}
            onChange={(e) => setOperatorId(e.target.value)}
            onBlur={() => void loadDirectory()}
            autoComplete="off"
          />
        </label>
        <label>
          PIN
          <input
            ref={pinRef}
            name="pin"
            type="password"
            inputMode="numeric"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            autoComplete="off"
          />
        </label>
        {roles.length > 1 ? (
          <label>
            Role
            <select
              name="role"
              value={role}
              onChange={(e) => setChosenRole(roles.find((r) => r === e.target.value) ?? "")}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Checking PIN…" : "Sign in"}
        </button>
        <button type="button" onClick={() => showScreen("scanner-setup")}>
          Scanner set-up
        </button>
      </form>
    </main>
  );
}
