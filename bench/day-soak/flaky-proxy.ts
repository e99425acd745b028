import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * The docks' network to central for the soak: a TCP proxy on loopback that forwards each
 * connection to wherever central listens now (it moves when central restarts), and that can
 * drop the network: every open connection is destroyed (mid-request, mid-answer, the poke
 * stream) and new ones are reset at once until it comes back. Hand-written (~60 lines): the
 * proxies on npm (http-proxy and the like) speak HTTP and would answer 502s, where a WAN drop
 * is a reset with no answer at all.
 */
export interface FlakyProxy {
  url: string;
  /** Where connections go from now on. */
  retarget(url: string): void;
  /** Cuts every open connection and refuses new ones for `ms`. */
  drop(ms: number): void;
  readonly drops: number;
  readonly cut: number;
  close(): Promise<void>;
}

export async function startFlakyProxy(initialTarget: string): Promise<FlakyProxy> {
  let target = new URL(initialTarget);
  let downUntil = 0;
  let drops = 0;
  let cut = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (Date.now() < downUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    open.add(client);
    open.add(upstream);
    const end = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    retarget(url) {
      target = new URL(url);
    },
    drop(ms) {
      drops++;
      downUntil = Date.now() + ms;
      for (const s of [...open]) {
        if (!s.destroyed) cut++;
        s.resetAndDestroy();
      }
      open.clear();
    },
    get drops() {
      return drops;
    },
    get cut() {
      return cut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
