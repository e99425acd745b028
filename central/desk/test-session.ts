import type { createApp } from "../app";

/** For the desk's tests (free of vitest, so the central tsconfig checks it). */
export const TEST_ORIGIN = "http://desk.test";

export type DeskCall = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; json: Record<string, unknown> }>;

/** A signed-in person at the desk: cookies, Origin and the CSRF header, as the desk app sends them. */
export async function signIn(app: ReturnType<typeof createApp>, email: string, password: string): Promise<DeskCall> {
  const cookies = new Map<string, string>();
  const call: DeskCall = async (method, path, body) => {
    const headers: Record<string, string> = { origin: TEST_ORIGIN };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const csrf = cookies.get("desk_csrf");
    if (csrf) headers["x-csrf-token"] = csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await app.request(`${TEST_ORIGIN}/desk/api${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = (c.split(";")[0] ?? "").split("=");
      if (k && v) cookies.set(k, v);
    }
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
  const r = await call("POST", "/sign-in", { email, password });
  if (r.status !== 200) throw new Error(`sign-in as ${email}: ${r.status}`);
  return call;
}
