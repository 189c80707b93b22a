/**
 * The national axis in demo mode (`npm start`): the simulator on a fixed loopback port, the
 * demo inbox server linked to it (once, with `kyso server axis add` and a secret file kept
 * outside the server's data directory), and an outside body behind it, Văn phòng UBND tỉnh
 * Nghệ An, which registers what it receives (01, then 03), replies when the sender set a
 * reply-by date, agrees to recalls, and signs what it sends RSA-SHA1 with xmlsec1 like the
 * field does (so the app shows "valid, weak algorithm"). More bodies of the axis directory
 * are listed but silent.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AxisSimulator } from './index.js';
import { OutsideBody } from './outside-body.js';

/** The outside body of the demo. */
export const DEMO_OUTSIDE = { code: '000.00.00.H41', name: 'Văn phòng UBND tỉnh Nghệ An' };
/** Bodies of the axis directory that never answer (the picker shows them as outside). */
const SILENT = [
  { code: '000.00.00.G22', name: 'Văn phòng Chính phủ' },
  { code: '000.00.00.G09', name: 'Bộ Nội vụ' },
  { code: '000.00.00.H29', name: 'UBND thành phố Hà Nội' },
];

/** What runs the axis side of the demo. */
export interface AxisDemo {
  url: string;
  sim: AxisSimulator;
  body: OutsideBody;
  stop(): Promise<void>;
}

/**
 * Starts the simulator and the outside body; links `dataDir`'s server to it on first run.
 * `kyso` runs a CLI command (the demo's helper); `orgs` are the bodies the demo server hosts.
 */
export async function startAxisDemo(o: {
  dir: string;
  dataDir: string;
  port: number;
  orgs: { code: string; name: string }[];
  /** Runs a `kyso` command; resolves with its standard output. */
  kyso: (args: string[]) => Promise<string> | string;
  log: (line: string) => void;
}): Promise<AxisDemo> {
  mkdirSync(o.dir, { recursive: true });
  // The server's secret lives outside its data directory, readable by its owner only.
  const secretFile = path.join(o.dir, 'kyso-demo.secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const secret = readFileSync(secretFile, 'utf8').trim();
  const outsideSecret = randomBytes(24).toString('base64url');
  const sim = await AxisSimulator.start({
    port: o.port,
    seed: Date.now() & 0xffff,
    systems: [
      { systemId: 'kyso.demo', secret, agencies: o.orgs },
      { systemId: 'vxp.saas.41', secret: outsideSecret, agencies: [DEMO_OUTSIDE] },
      { systemId: 'vxp.saas.silent', secret: randomBytes(16).toString('hex'), agencies: SILENT },
    ],
  });
  const listed = await o.kyso(['server', 'axis', 'list', '--data', o.dataDir, '--json']);
  const link = (JSON.parse(listed) as { name: string; endpoint: string }[]).find((l) => l.name === 'vxp');
  // Linked by an earlier run on another port: link again.
  if (link && link.endpoint !== sim.vxpUrl) await o.kyso(['server', 'axis', 'remove', '--data', o.dataDir, '--force', 'vxp']);
  if (!link || link.endpoint !== sim.vxpUrl) {
    await o.kyso(['server', 'axis', 'add', '--data', o.dataDir, '--kind', 'vxp', '--endpoint', sim.vxpUrl, '--system-id', 'kyso.demo', '--secret-file', secretFile, '--poll', '2']);
  }
  const body = new OutsideBody({
    home: path.join(o.dir, 'outside-body'), ...DEMO_OUTSIDE, axis: { kind: 'vxp', endpoint: sim.vxpUrl, systemId: 'vxp.saas.41', secret: outsideSecret },
    signing: 'rsa-sha1', pollMs: 1000, registerDelayMs: 1500, log: o.log,
  });
  body.start();
  return {
    url: sim.vxpUrl,
    sim,
    body,
    async stop() {
      await body.stop();
      await sim.close();
    },
  };
}
