/**
 * A tiny loopback TCP load balancer for the multi-instance tests (a real deployment has nginx
 * or HAProxy): each connection goes to the first backend in order that accepts it, so a dead
 * instance (connection refused) is skipped; when a backend's side closes, the client's does
 * too. `hold` lets a test stop an upload part-way through on a chosen backend.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One backend: host and port. */
export interface Backend {
  host: string;
  port: number;
}

/** A running balancer. */
export interface Balancer {
  url: string;
  /** Connections made to each backend (by index). */
  connections: number[];
  /**
   * Once a connection to backend `index` has carried more than `bytes` from its client, stops
   * reading that client (the upload hangs mid-way) and resolves.
   */
  hold(index: number, bytes: number): Promise<void>;
  close(): Promise<void>;
}

function dial(b: Backend): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(b.port, b.host);
    s.once('connect', () => resolve(s)).once('error', reject);
  });
}

/** Starts the balancer on 127.0.0.1 (random port) in front of `backends`, tried in order. */
export async function startBalancer(backends: Backend[]): Promise<Balancer> {
  const connections = backends.map(() => 0);
  const sockets = new Set<Socket>();
  let holder: { index: number; bytes: number; resolve: () => void } | undefined;
  const server = createServer((client) => {
    sockets.add(client);
    client.pause();
    client.on('error', () => undefined);
    void (async () => {
      for (let i = 0; i < backends.length; i++) {
        let up: Socket;
        try {
          up = await dial(backends[i]!);
        } catch {
          continue;
        }
        connections[i]!++;
        sockets.add(up);
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
        let carried = 0;
        client.on('data', (chunk: Buffer) => {
          carried += chunk.length;
          up.write(chunk);
          if (holder && holder.index === i && carried > holder.bytes) {
            client.pause();
            client.removeAllListeners('data');
            const h = holder;
            holder = undefined;
            h.resolve();
          }
        });
        up.pipe(client);
        client.resume();
        return;
      }
      client.destroy();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    hold: (index, bytes) => new Promise<void>((resolve) => (holder = { index, bytes, resolve })),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
