import { WedgeReader, type WedgeConfig, type WedgeScan } from "./wedge-reader";

/**
 * The DOM side of the keyboard-wedge reader: listens on the window in the capture phase
 * so a scan is taken before any button or shortcut sees its keys. Keys typed into a text
 * field are left alone (a person is filling in a form), except Ctrl+] which a scanner
 * sends for GS and which would otherwise zoom some browsers.
 */
export interface WedgeListener {
  configure(config: WedgeConfig): void;
  /** Pause while a form has focus elsewhere (e.g. the sign-in form). */
  setEnabled(enabled: boolean): void;
  dispose(): void;
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset"].includes(type);
}

/** Starts reading wedge scans on `win`; each completed scan is handed to `onScan`. */
export function listenForWedgeScans(
  win: Window,
  config: WedgeConfig,
  onScan: (scan: WedgeScan) => void,
): WedgeListener {
  const reader = new WedgeReader(config);
  let current = config;
  let enabled = true;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey && (e.key === "]" || e.code === "BracketRight")) e.preventDefault();
    if (!enabled || isEditable(e.target)) return;
    const r = reader.feed({ key: e.key, ctrlKey: e.ctrlKey, altKey: e.altKey, time: e.timeStamp });
    if (r.consumed) {
      e.preventDefault();
      e.stopPropagation();
    }
    if (r.scan) onScan(r.scan);
    if (idleTimer !== null) clearTimeout(idleTimer);
    if (current.suffixes.length === 0 || current.idleEnds) {
      idleTimer = setTimeout(() => {
        const s = reader.flush(performance.now());
        if (s) onScan(s);
      }, current.maxInterKeyMs + 20);
    }
  };
  win.addEventListener("keydown", onKeyDown, { capture: true });
  return {
    configure(next) {
      current = next;
      reader.configure(next);
    },
    setEnabled(on) {
      enabled = on;
      reader.reset();
    },
    dispose() {
      win.removeEventListener("keydown", onKeyDown, { capture: true });
      if (idleTimer !== null) clearTimeout(idleTimer);
    },
  };
}
