import { useDock } from "./store-context";
import { SyncHealthPanel } from "../components/sync-health-panel";
import { BookingsScreen } from "../screens/bookings-screen";
import { ReceiptScreen } from "../screens/receipt-screen";
import { ScannerSetupScreen } from "../screens/scanner-setup-screen";
import { SignInScreen } from "../screens/sign-in-screen";

/** The frame: who is signed in, sync health always visible, and the screen on show. */
export function App(props: { siteName: string; dockId: string; centralUrl: string; shell: string }) {
  const blocked = useDock((s) => s.blockedMessage);
  const operator = useDock((s) => s.operator);
  const screen = useDock((s) => s.screen);
  const signOut = useDock((s) => s.signOut);
  const showScreen = useDock((s) => s.showScreen);
  if (blocked !== null)
    return (
      <div className="blocked" role="alert">
        {blocked}
      </div>
    );
  let body;
  if (screen === "scanner-setup") body = <ScannerSetupScreen />;
  else if (operator === null) body = <SignInScreen />;
  else if (screen === "receipt") body = <ReceiptScreen />;
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
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        )}
        <SyncHealthPanel />
      </header>
      {body}
    </div>
  );
}
