/**
 * Every message the renderer and the shell use exists in Vietnamese and English: literal keys
 * are read from the sources; keys built from enums are expanded from the contract.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { padesLevelSchema, signRoleSchema } from '../../../main/api/contract/sign.js';
import { hasMessage, t } from '../../../resources/locales/index.js';
import { screenIds } from '../../../renderer/src/routes.js';
import { STATUS_CODES } from '../../../main/exchange/protocol.js';
import { SUB_INDICATIONS } from '../../../main/validation/types.js';
import { KEY_USAGE_NAMES, ekuNames } from '../../../main/pki/cert-extensions.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('ui messages', () => {
  it('has every literal key used by renderer/ and main/shell in both languages', () => {
    const files = [...sources(path.join(root, 'renderer', 'src')), ...sources(path.join(root, 'main', 'shell'))];
    const keys = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*(?:[a-z]+,\s*)?'((?:ui|error|app)\.[A-Za-z0-9.]+)'/g)) keys.add(m[1]!);
    }
    expect(keys.size).toBeGreaterThan(100);
    const missing = [...keys].filter((k) => !hasMessage('vi', k) || !hasMessage('en', k));
    expect(missing).toEqual([]);
  });

  it('has the keys built from enums', () => {
    const keys = [
      ...screenIds.map((s) => `ui.nav.${s}`),
      ...signRoleSchema.options.map((r) => `ui.role.${r}`),
      ...padesLevelSchema.options.map((l) => `ui.level.${l}`),
      ...['queued', 'hashing', 'signing', 'timestamping', 'done', 'skipped', 'failed', 'signed', 'cancelled'].map((s) => `ui.job.stage.${s}`),
      ...['arrived', 'accepted', 'rejected'].map((s) => `ui.doc.state.${s}`),
      ...STATUS_CODES.map((c) => `ui.status.${c}`),
      ...['04', '05', '06'].map((c) => `ui.inbox.status.${c}`),
      ...['pending', 'sent', 'failed'].map((d) => `ui.send.delivery.${d}`),
      ...['electron', 'browser'].map((h) => `ui.host.${h}`),
      ...['timestamp', 'claimed', 'none'].map((s) => `ui.verify.timeSource.${s}`),
      ...['good', 'revoked', 'unknown', 'notChecked'].map((s) => `ui.verify.revocation.${s}`),
      ...SUB_INDICATIONS.map((s) => `verify.sub.${s}`),
      ...[...KEY_USAGE_NAMES, ...Object.values(ekuNames)].map((u) => `ui.usage.${u}`),
      ...['ocsp', 'crl', 'dss-ocsp', 'dss-crl', 'anchor'].map((s) => `verify.revocationSource.${s}`),
      'ui.registers.incoming', 'ui.registers.outgoing',
    ];
    expect(keys.filter((k) => !hasMessage('vi', k) || !hasMessage('en', k))).toEqual([]);
  });

  it('writes Vietnamese with diacritics and English without', () => {
    for (const k of ['ui.nav.registers', 'ui.pin.finalTry', 'ui.inbox.accept', 'ui.nav.sign']) {
      expect(t('vi', k)).toMatch(/[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i);
      expect(t('en', k)).not.toBe(t('vi', k));
    }
  });
});
