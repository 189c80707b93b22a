/**
 * SoftHSM2 as the test token: a private SOFTHSM2_CONF per run, tokens selected by label,
 * keys generated ON the token with pkcs11-tool (never imported), certificates loaded next to
 * their key under the same CKA_ID.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './run.js';

/** Where Debian's softhsm2 package installs its PKCS#11 module. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** Key types pkcs11-tool can generate on SoftHSM2. */
export type TokenKeyType = 'rsa:2048' | 'rsa:3072' | 'EC:prime256v1' | 'EC:secp384r1';

/** A private SoftHSM2 installation rooted at one directory. */
export class SoftHsm {
  readonly module = SOFTHSM_MODULE;
  readonly conf: string;
  readonly tokenDir: string;

  constructor(readonly dir: string) {
    this.tokenDir = path.join(dir, 'tokens');
    this.conf = path.join(dir, 'softhsm2.conf');
    mkdirSync(this.tokenDir, { recursive: true });
    writeFileSync(this.conf, `directories.tokendir = ${this.tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  }

  /** Environment that points SoftHSM2 (in any child process) at this installation. */
  get env(): NodeJS.ProcessEnv {
    return { SOFTHSM2_CONF: this.conf };
  }

  /** Initialises a new token in the next free slot. */
  async initToken(label: string, soPin: string, pin: string): Promise<void> {
    await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env: this.env });
  }

  /** Deletes a token (simulates pulling the USB token out). */
  async deleteToken(label: string): Promise<void> {
    await run('softhsm2-util', ['--delete-token', '--token', label], { env: this.env });
  }

  /**
   * The slot id of the token labelled exactly `label`. pkcs11-tool's --token-label matches a
   * PREFIX ("Kyso Demo" would pick "Kyso Demo Revoked"), so tokens are addressed by slot id.
   */
  async slotId(label: string): Promise<string> {
    const { stdout } = await run('softhsm2-util', ['--show-slots'], { env: this.env });
    const hits = stdout.toString().split(/^Slot /m).slice(1).flatMap((block) => {
      const id = /^(\d+)/.exec(block)?.[1];
      const tokenLabel = /^\s*Label:\s*(.*?)\s*$/m.exec(block)?.[1];
      return id !== undefined && tokenLabel === label ? [id] : [];
    });
    if (hits.length !== 1) throw new Error(`SoftHSM2 token "${label}": ${hits.length === 0 ? 'not found' : 'ambiguous label'}`);
    return hits[0] as string;
  }

  private async p11(label: string, args: string[], opts: { pin?: string; input?: Buffer } = {}) {
    const auth = opts.pin ? ['--login', '--pin', opts.pin] : [];
    const slot = await this.slotId(label);
    return run('pkcs11-tool', ['--module', this.module, '--slot', slot, ...auth, ...args], { env: this.env, ...(opts.input ? { input: opts.input } : {}) });
  }

  /** Generates a key pair on the token; returns the public key as DER SubjectPublicKeyInfo. */
  async generateKey(label: string, pin: string, opts: { type: TokenKeyType; id: string; keyLabel: string }): Promise<Buffer> {
    await this.p11(label, ['--keypairgen', '--key-type', opts.type, '--id', opts.id, '--label', opts.keyLabel, '--usage-sign'], { pin });
    return this.readPublicKey(label, opts.id);
  }

  /** Reads a public key object (DER SubjectPublicKeyInfo) by CKA_ID (hex). */
  async readPublicKey(label: string, id: string): Promise<Buffer> {
    const { stdout } = await this.p11(label, ['--read-object', '--type', 'pubkey', '--id', id]);
    return stdout;
  }

  /** Writes a certificate (DER) to the token under the key's CKA_ID. */
  async importCertificate(label: string, pin: string, opts: { id: string; certLabel: string; certPath: string }): Promise<void> {
    await this.p11(label, ['--write-object', opts.certPath, '--type', 'cert', '--id', opts.id, '--label', opts.certLabel], { pin });
  }

  /** Signs `data` with the token key (pkcs11-tool, for oracles and benchmarks). */
  async sign(label: string, pin: string, id: string, mechanism: string, data: Buffer): Promise<Buffer> {
    const { stdout } = await this.p11(label, ['--sign', '--id', id, '--mechanism', mechanism], { pin, input: data });
    return stdout;
  }
}
