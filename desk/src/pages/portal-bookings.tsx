import { useEffect, useState } from "react";
import { api } from "../api";
import { Field, Notice, RefusalBox, Select, useList, useSubmit } from "../components";
import type { PortalBooking, PortalOptions } from "../../../shared/desk-api";

type LateOutcome =
  | { decision: "accepted"; slot: { date: string; start: string; end: string } }
  | { decision: "offered"; reason: string; freeSlots: Array<{ date: string; start: string; end: string }> };

/** The Party's bookings: references and label, a late arrival (Req 4) and the re-delivery amendment (Req 8). */
export function PortalBookings() {
  const list = useList<PortalBooking>("/portal/bookings");
  const locations = useList<{ id: string; name: string; address: string }>("/portal/locations");
  const [slots, setSlots] = useState<PortalOptions["slots"]>([]);
  useEffect(() => {
    void api<PortalOptions>("GET", "/portal/options").then((r) => {
      if (r.ok) setSlots(r.data.slots);
    });
  }, []);
  const open = list.rows.filter((b) => b.status === "authorised");

  const [lateRef, setLateRef] = useState("");
  const [etaDate, setEtaDate] = useState("");
  const [etaTime, setEtaTime] = useState("");
  const [late, setLate] = useState<LateOutcome | null>(null);
  const lateBooking = lateRef || open[0]?.bookingRef || "";
  const lateSubmit = useSubmit(
    () =>
      api<LateOutcome>("POST", `/portal/bookings/${encodeURIComponent(lateBooking)}/late-arrival`, {
        etaDate,
        etaTime,
      }),
    (o) => {
      setLate(o);
      list.reload();
    },
  );

  const [redRef, setRedRef] = useState("");
  const [redDate, setRedDate] = useState("");
  const [redSlot, setRedSlot] = useState("");
  const [redLoc, setRedLoc] = useState("");
  const [amended, setAmended] = useState(false);
  const redBooking = redRef || list.rows[0]?.bookingRef || "";
  const chosenSlot = slots.find((s) => `${s.start}-${s.end}` === redSlot) ?? slots[0];
  const location = redLoc || locations.rows[0]?.id || "";
  const redSubmit = useSubmit(
    () =>
      api("POST", `/portal/bookings/${encodeURIComponent(redBooking)}/redelivery`, {
        deliveryDate: redDate,
        deliveryWindow: chosenSlot,
        deliveryLocationId: location,
      }),
    () => {
      setAmended(true);
      list.reload();
    },
  );

  return (
    <main>
      <h1>Your bookings</h1>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} booking{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Booking</th>
            <th scope="col">Delivery ref</th>
            <th scope="col">Status</th>
            <th scope="col">Delivery to the dock</th>
            <th scope="col">Hubs</th>
            <th scope="col">Label (GS1-128)</th>
            <th scope="col">Re-delivery</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((b) => (
            <tr key={b.bookingRef}>
              <td className="nowrap">{b.bookingRef}</td>
              <td className="nowrap">{b.deliveryRef}</td>
              <td>{b.status}</td>
              <td>
                {b.deliveryDate} {b.deliveryWindow.start}-{b.deliveryWindow.end} at {b.facilityId}
              </td>
              <td>
                {b.hubs} on {b.pallets} pallet{b.pallets === 1 ? "" : "s"}
              </td>
              <td>
                <code>{b.labelHri}</code>
                <br />
                <a href={`/desk/api/portal/bookings/${encodeURIComponent(b.bookingRef)}/label.pdf`}>
                  Label PDF<span className="visually-hidden"> for {b.bookingRef}</span>
                </a>
              </td>
              <td>
                {b.redelivery === null
                  ? "to be agreed"
                  : `${b.redelivery.deliveryDate} ${b.redelivery.deliveryWindow.start}-${b.redelivery.deliveryWindow.end}, ${b.redelivery.deliveryLocation.name}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="forms">
        <form onSubmit={(e) => void lateSubmit.submit(e)} aria-labelledby="late-h">
          <h2 id="late-h">Report a late arrival</h2>
          <Select
            label="Booking"
            value={lateBooking}
            onChange={setLateRef}
            options={open.map((b) => ({ value: b.bookingRef, label: `${b.bookingRef} (${b.deliveryDate})` }))}
          />
          <Field label="New arrival date" type="date" value={etaDate} onChange={setEtaDate} />
          <Field label="New arrival time" type="time" value={etaTime} onChange={setEtaTime} />
          <RefusalBox refusal={lateSubmit.refusal} />
          {late?.decision === "accepted" ? (
            <Notice>
              <p>
                Accepted: the booking moves to {late.slot.date} {late.slot.start}-{late.slot.end}.
              </p>
            </Notice>
          ) : null}
          {late?.decision === "offered" ? (
            <div className="refusal" role="alert">
              <p>Not accepted: {late.reason}. Free slots:</p>
              <ul>
                {late.freeSlots.map((s) => (
                  <li key={`${s.date}${s.start}`}>
                    {s.date} {s.start}-{s.end}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <button type="submit" disabled={lateSubmit.busy || lateBooking === ""}>
            Report late arrival
          </button>
        </form>
        <form onSubmit={(e) => void redSubmit.submit(e)} aria-labelledby="red-h">
          <h2 id="red-h">Where and when the hubs come back</h2>
          <Select
            label="Booking for re-delivery"
            value={redBooking}
            onChange={setRedRef}
            options={list.rows
              .filter((b) => b.status !== "cancelled")
              .map((b) => ({ value: b.bookingRef, label: b.bookingRef }))}
          />
          <Field label="Re-delivery date" type="date" value={redDate} onChange={setRedDate} />
          <Select
            label="Re-delivery window"
            value={chosenSlot ? `${chosenSlot.start}-${chosenSlot.end}` : ""}
            onChange={setRedSlot}
            options={slots.map((s) => ({ value: `${s.start}-${s.end}`, label: `${s.start} to ${s.end}` }))}
          />
          <Select
            label="Re-delivery location"
            value={location}
            onChange={setRedLoc}
            options={locations.rows.map((l) => ({ value: l.id, label: `${l.name}, ${l.address}` }))}
          />
          <RefusalBox refusal={redSubmit.refusal} />
          {amended && redSubmit.refusal === null ? (
            <Notice>
              <p>Re-delivery amended; the dock has it at its next sync.</p>
            </Notice>
          ) : null}
          <button type="submit" disabled={redSubmit.busy || redBooking === ""}>
            Amend re-delivery
          </button>
        </form>
      </div>
    </main>
  );
}
