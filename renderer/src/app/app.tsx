import { useDock } from "../store/store-context";
import { SyncHealthPanel } from "../shell/sync-health-panel";
import { UnsentAlarmBanner } from "../shell/unsent-alarm-banner";
import { BookingsScreen } from "../receiving/bookings-screen";
import { ReceiptScreen } from "../receiving/receipt-screen";
import { ScannerSetupScreen } from "../scanning/scanner-setup-screen";
import { SignInScreen } from "../session/sign-in-screen";
import { SupervisorScreen } from "../supervisor/supervisor-screen";
import { JigScreen } from "../jig/jig-screen";
import { useJigLink } from "../jig/use-jig-link";

/** The frame: who is signed in, sync health and the unsent-event alarm always visible, and the screen on show. */
export function App(props: { siteName: string; dockId: string; centralUrl: string; shell: string; timeZone?: string }) {
  const blocked = useDock((s) => s.blockedMessage);
  const operator = useDock((s) => s.operator);
  const screen = useDock((s) => s.screen);
  const signOut = useDock((s) => s.signOut);
  const showScreen = useDock((s) => s.showScreen);
  const scanAnswer = useDock((s) => s.scanAnswer);
  useJigLink();
  if (blocked !== null)
    return (
      <>
        <UnsentAlarmBanner timeZone={props.timeZone} />
        <div className="blocked" role="alert">
          {blocked}
        </div>
      </>
    );
  let body;
  if (screen === "scanner-setup") body = <ScannerSetupScreen />;
  else if (operator === null) body = <SignInScreen />;
  else if (screen === "receipt") body = <ReceiptScreen />;
  else if (screen === "supervisor") body = <SupervisorScreen />;
  else if (screen === "jig") body = <JigScreen />;
  else body = <BookingsScreen />;
  return (
    <div className="app">
      <header className="app-head">
        <span className="site">
          {props.siteName} · {props.dockId}
        </span>
        {operator && (
          <span className="operator" data-testid="operator">
            {operator.name} ({operator.role})
            <button type="button" onClick={() => showScreen("scanner-setup")}>
              Scanner set-up
            </button>
            {operator.role === "supervisor" && (
              <button
                type="button"
                data-testid="nav-supervisor"
                onClick={() => showScreen(screen === "supervisor" ? "bookings" : "supervisor")}
              >
                {screen === "supervisor" ? "Bookings" : "Supervisor"}
              </button>
            )}
            <button
              type="button"
              data-testid="nav-jig"
              onClick={() => showScreen(screen === "jig" ? "bookings" : "jig")}
            >
              {screen === "jig" ? "Bookings" : "Jig station"}
            </button>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        )}
        <SyncHealthPanel />
      </header>
      <UnsentAlarmBanner timeZone={props.timeZone} />
      {scanAnswer !== null && (screen === "scanner-setup" || operator === null) && (
        <p className="scan-answer" role="status" data-testid="scan-answer">
          {scanAnswer}
        </p>
      )}
      {body}
    </div>
  );
}
