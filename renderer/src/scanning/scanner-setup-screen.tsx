import { useEffect, useRef, useState } from "react";
import { setSelfTestSink } from "./scan-router";
import { useDock } from "../store/store-context";
import { BarcodeSvg } from "../components/barcode-svg";
import {
  checkGs1,
  checkLayout,
  checkSuffixAndAim,
  selfTestOutcome,
  TEST_SHEET,
  type Finding,
  type LearntSettings,
} from "./scanner-self-test";
import type { WedgeSuffix } from "./wedge-reader";
import { DevicesPanel } from "../components/devices-panel";

/**
 * Scanner set-up: the printable test sheet, the self-test that reads it, and the wedge
 * thresholds. Scan the three codes in order; each result says what to change.
 */
export function ScannerSetupScreen() {
  const config = useDock((s) => s.wedgeConfig);
  const setConfig = useDock((s) => s.setWedgeConfig);
  const setOverride = useDock((s) => s.setWedgeOverride);
  const showScreen = useDock((s) => s.showScreen);
  const operator = useDock((s) => s.operator);
  const [step, setStep] = useState(0);
  const [findings, setFindings] = useState<Finding[][]>([[], [], []]);
  const [learnt, setLearnt] = useState<LearntSettings | null>(null);

  useEffect(() => {
    setOverride({ ...config, prefix: "", suffixes: ["Enter", "Tab"], idleEnds: true, minLength: 3 });
    return () => setOverride(null);
  }, [config, setOverride]);

  const stepRef = useRef(0);
  const prefixRef = useRef("");
  useEffect(() => {
    setSelfTestSink((scan) => {
      const i = stepRef.current % 3;
      let found: Finding[];
      if (i === 0) {
        const r = checkSuffixAndAim(scan);
        prefixRef.current = r.learnt.prefix;
        setLearnt(r.learnt);
        found = r.findings;
      } else if (i === 1) found = checkGs1(scan, prefixRef.current);
      else found = checkLayout(scan, prefixRef.current);
      setFindings((all) => all.map((f, k) => (k === i ? found : f)));
      stepRef.current = i + 1;
      setStep(i + 1);
    });
    return () => setSelfTestSink(null);
  }, []);

  const apply = () => {
    if (learnt === null) return;
    const suffixes: WedgeSuffix[] = learnt.suffix === null ? [] : [learnt.suffix];
    void setConfig({ ...config, prefix: learnt.prefix, suffixes });
  };

  return (
    <main className="panel scanner-setup" aria-label="scanner set-up">
      <h1>Scanner set-up and self-test</h1>
      <p className="prompt" data-testid="self-test-status">
        {step < 3 ? `Scan code ${step + 1} of the test sheet.` : selfTestOutcome(findings).text}
      </p>
      <div className="test-sheet">
        {TEST_SHEET.map((code, i) => (
          <figure key={code.id} className={i === step ? "current" : undefined}>
            <figcaption>{code.title}</figcaption>
            <BarcodeSvg data={code.barcode} ean128={code.ean128} text={code.printed} />
            <ul className="findings">
              {(findings[i] ?? []).map((f) => (
                <li key={f.text} className={`finding-${f.level}`}>
                  {f.text}
                </li>
              ))}
            </ul>
          </figure>
        ))}
      </div>
      <button type="button" onClick={() => window.print()}>
        Print the test sheet
      </button>
      {learnt && (
        <button type="button" onClick={apply}>
          Use the learnt suffix and prefix
        </button>
      )}
      <DevicesPanel />
      <fieldset className="wedge-config">
        <legend>Keyboard-wedge thresholds</legend>
        <label>
          Longest gap between a scanner&apos;s keys (ms)
          <input
            type="number"
            min={5}
            max={2000}
            value={config.maxInterKeyMs}
            onChange={(e) => void setConfig({ ...config, maxInterKeyMs: Number(e.target.value) || 50 })}
          />
        </label>
        <label>
          Shortest scan (characters)
          <input
            type="number"
            min={2}
            max={100}
            value={config.minLength}
            onChange={(e) => void setConfig({ ...config, minLength: Number(e.target.value) || 4 })}
          />
        </label>
        <label>
          Prefix
          <input value={config.prefix} onChange={(e) => void setConfig({ ...config, prefix: e.target.value })} />
        </label>
        <div>
          Suffix:{" "}
          {config.suffixes.length === 0 ? "none (a scan ends when the keys stop)" : config.suffixes.join(" or ")}
        </div>
      </fieldset>
      <button type="button" onClick={() => showScreen("bookings")}>
        {operator ? "Back to bookings" : "Back to sign-in"}
      </button>
    </main>
  );
}
