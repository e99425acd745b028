import { useEffect, useState } from "react";
import { api, type Refusal } from "../api";
import { Field, Notice, RefusalBox } from "../components";
import type { DccContact, DeskSettingsView } from "../../../shared/desk-api";
import { fromForm, toForm, WEEKDAYS, type BusinessForm, type Weekday } from "../settings-form";

const DAY_LABEL: Record<Weekday, string> = {
  monday: "Monday",
  tuesday: "Tuesday",
  wednesday: "Wednesday",
  thursday: "Thursday",
  friday: "Friday",
  saturday: "Saturday",
  sunday: "Sunday",
};

const changedText = (c: { by: string; at: string } | null) =>
  c === null
    ? "As central's configuration file says."
    : `Last changed by ${c.by} on ${c.at.slice(0, 16).replace("T", " ")} UTC.`;

/**
 * The DCC's contact details (printed on every authorisation) and business configuration
 * (charges, working hours, delivery slots, packing), checked with the shared schema before
 * sending and again by central; saved changes take effect at once and are audited.
 */
export function SettingsTab() {
  const [view, setView] = useState<DeskSettingsView | null>(null);
  const [loadRefusal, setLoadRefusal] = useState<Refusal | null>(null);
  useEffect(() => {
    void api<DeskSettingsView>("GET", "/settings").then((r) => (r.ok ? setView(r.data) : setLoadRefusal(r.refusal)));
  }, []);
  return (
    <>
      <h2>Business configuration and DCC contact details</h2>
      <RefusalBox refusal={loadRefusal} />
      {view !== null ? (
        <>
          <ContactForm view={view} onSaved={setView} />
          <BusinessSettingsForm view={view} onSaved={setView} />
        </>
      ) : null}
    </>
  );
}

function ContactForm({ view, onSaved }: { view: DeskSettingsView; onSaved: (v: DeskSettingsView) => void }) {
  const [c, setC] = useState<DccContact>(view.contact);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const save = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    const r = await api<DeskSettingsView>("POST", "/settings/contact", c);
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      setSaved(true);
      onSaved(r.data);
    } else setRefusal(r.refusal);
  };
  return (
    <form onSubmit={(e) => void save(e)} aria-labelledby="contact-h">
      <h3 id="contact-h">DCC contact details</h3>
      <p className="hint">
        Printed on every booking authorisation as whom the Party calls. {changedText(view.changed.contact)}
      </p>
      <div className="grid">
        <Field label="Contact name" value={c.name} onChange={(name) => setC({ ...c, name })} />
        <Field label="Contact email" type="email" value={c.email} onChange={(email) => setC({ ...c, email })} />
        <Field label="Contact phone" type="tel" value={c.phone} onChange={(phone) => setC({ ...c, phone })} />
      </div>
      <RefusalBox refusal={refusal} />
      {saved ? (
        <Notice>
          <p>Contact details saved; the next authorisation carries them.</p>
        </Notice>
      ) : null}
      <button type="submit" disabled={busy}>
        Save contact details
      </button>
    </form>
  );
}

function BusinessSettingsForm({ view, onSaved }: { view: DeskSettingsView; onSaved: (v: DeskSettingsView) => void }) {
  const [f, setF] = useState<BusinessForm>(() => toForm(view.business));
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof BusinessForm>(k: K) =>
    (v: BusinessForm[K]) =>
      setF((x) => ({ ...x, [k]: v }));
  const currency = f.currency.trim().toUpperCase() || "currency";
  const save = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    setSaved(false);
    const checked = fromForm(f);
    if (!checked.ok) {
      setRefusal({ status: 400, reason: "Nothing was saved.", issues: checked.issues, rows: [] });
      return;
    }
    setBusy(true);
    const r = await api<DeskSettingsView>("POST", "/settings/business", checked.value);
    setBusy(false);
    if (r.ok) {
      setRefusal(null);
      setSaved(true);
      // Shown as central stored it (amounts and lists normalised).
      setF(toForm(r.data.business));
      onSaved(r.data);
    } else setRefusal(r.refusal);
  };
  return (
    <form onSubmit={(e) => void save(e)} aria-labelledby="business-h" className="settings">
      <h3 id="business-h">Business configuration</h3>
      <p className="hint">{changedText(view.changed.business)}</p>
      <fieldset>
        <legend>Charges and credits</legend>
        <div className="grid">
          <Field label="Currency" value={f.currency} onChange={set("currency")} hint="ISO 4217, e.g. GBP" />
          <Field
            label={`Explicit Charge per re-flashed hub (${currency})`}
            value={f.explicitCharge}
            onChange={set("explicitCharge")}
          />
          <Field
            label={`Credit per hub not re-flashable, Single Band (${currency})`}
            value={f.creditSingleBand}
            onChange={set("creditSingleBand")}
          />
          <Field
            label={`Credit per hub not re-flashable, Dual Band (${currency})`}
            value={f.creditDualBand}
            onChange={set("creditDualBand")}
          />
          <Field
            label={`Return charge, redeployable (${currency})`}
            value={f.returnRedeployable}
            onChange={set("returnRedeployable")}
            required={false}
            hint="leave the three return charges empty if this site applies none"
          />
          <Field
            label={`Return charge, not redeployable, Single Band (${currency})`}
            value={f.returnNotRedeployableSingleBand}
            onChange={set("returnNotRedeployableSingleBand")}
            required={false}
          />
          <Field
            label={`Return charge, not redeployable, Dual Band (${currency})`}
            value={f.returnNotRedeployableDualBand}
            onChange={set("returnNotRedeployableDualBand")}
            required={false}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>Working hours</legend>
        <div className="grid">
          {WEEKDAYS.map((d) => (
            <Field
              key={d}
              label={DAY_LABEL[d]}
              value={f.days[d]}
              onChange={(v) => setF((x) => ({ ...x, days: { ...x.days, [d]: v } }))}
              required={false}
              hint="HH:MM-HH:MM, empty when closed"
            />
          ))}
          <Field label="Minimum notice (whole days)" value={f.minNoticeDays} onChange={set("minNoticeDays")} />
        </div>
        <TextArea
          label="Bank holidays (one date a line, YYYY-MM-DD)"
          value={f.bankHolidays}
          onChange={set("bankHolidays")}
        />
      </fieldset>
      <fieldset>
        <legend>Delivery slots and packing</legend>
        <TextArea label="Delivery slots (one HH:MM-HH:MM a line)" value={f.slots} onChange={set("slots")} />
        <div className="grid">
          <Field label="Hubs per carton" value={f.hubsPerCarton} onChange={set("hubsPerCarton")} />
          <Field label="Cartons per pallet" value={f.cartonsPerPallet} onChange={set("cartonsPerPallet")} />
        </div>
      </fieldset>
      <RefusalBox refusal={refusal} />
      {saved ? (
        <Notice>
          <p>Business configuration saved; it applies from the next request.</p>
        </Notice>
      ) : null}
      <button type="submit" disabled={busy}>
        Save business configuration
      </button>
    </form>
  );
}

function TextArea({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = `ta-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
