import { useCallback, useEffect, useId, useState, type ReactNode } from "react";
import { api, type Refusal } from "./api";
import type { RowProblem } from "../../shared/desk-api";

/** A labelled input; the label is what a screen reader says and what a test finds it by. */
export function Field(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required ?? true}
        autoComplete={props.autoComplete ?? "off"}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint ? <small id={`${id}-hint`}>{props.hint}</small> : null}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: Array<{ value: string; label: string }>;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A field path of central's schema in words: "maxPallets" is "max pallets", "contact.phone" is "contact phone". */
export function fieldWords(path: string): string {
  return path
    .split(".")
    .map((p) => p.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase())
    .join(" ")
    .replace(/\bid\b/g, "ID");
}

/** Central's refusal: its reason (or, for a form, each field's issue), and each bad row with its line. */
export function RefusalBox({ refusal }: { refusal: Refusal | null }) {
  if (refusal === null) return null;
  return (
    <div className="refusal" role="alert">
      <p>{refusal.issues.length > 0 ? "Nothing was saved. Please correct:" : refusal.reason}</p>
      {refusal.issues.length > 0 ? (
        <ul>
          {refusal.issues.map((i) => (
            <li key={i.path + i.message}>
              <strong>{fieldWords(i.path)}</strong>: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      {refusal.rows.length > 0 ? <ProblemsTable problems={refusal.rows} /> : null}
      {refusal.notes && refusal.notes.length > 0 ? (
        <ul>
          {refusal.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ProblemsTable({ problems, caption }: { problems: RowProblem[]; caption?: string }) {
  return (
    <table className="problems">
      <caption>{caption ?? `${problems.length} row${problems.length === 1 ? "" : "s"} to fix`}</caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p, i) => (
          <tr key={`${p.line}-${i}`}>
            <td>{p.line}</td>
            <td>{p.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}

/** A list from central, reloaded after each change. */
/**
 * One document central serves at `path` (null: nothing to load yet), with central's refusal and a
 * reload. Data from another path is never shown: a page switching bookings shows nothing until the
 * new one has arrived.
 */
export function useView<T>(path: string | null): { data: T | null; refusal: Refusal | null; reload: () => void } {
  const [loaded, setLoaded] = useState<{ path: string; data: T } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    void api<T>("GET", path).then((r) => {
      if (!live) return;
      if (r.ok) {
        setLoaded({ path, data: r.data });
        setRefusal(null);
      } else setRefusal(r.refusal);
    });
    return () => {
      live = false;
    };
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data: loaded !== null && loaded.path === path ? loaded.data : null, refusal, reload };
}

/** A list central serves at `path` (see `useView`). */
export function useList<T>(path: string): { rows: T[]; refusal: Refusal | null; reload: () => void } {
  const view = useView<T[]>(path);
  return { rows: view.data ?? [], refusal: view.refusal, reload: view.reload };
}

/** A create form's submit: sends, shows central's refusal, and on success resets and reloads. */
export function useSubmit<T>(
  send: () => Promise<{ ok: true; data: T } | { ok: false; refusal: Refusal }>,
  done: (data: T) => void,
) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e?: { preventDefault(): void }) => {
    e?.preventDefault();
    setBusy(true);
    const r = await send();
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      done(r.data);
    } else setRefusal(r.refusal);
  };
  return { refusal, busy, submit };
}
