// Proves the import zones of ARCHITECTURE.md are enforced: each forbidden import below must
// produce a lint error, and the allowed ones must not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import zones', () => {
  it.each([
    ['renderer/src/x.tsx', "import fs from 'node:fs';\nexport const a = fs;\n", 'no Node'],
    ['renderer/src/x.tsx', "import { app } from 'electron';\nexport const a = app;\n", 'must not import electron'],
    ['renderer/src/x.tsx', "import { x } from '../../native/token-manager.js';\nexport const a = x;\n", 'native/'],
    ['renderer/src/x.tsx', "import { x } from '../../main/services/core.js';\nexport const a = x;\n", 'only main/api'],
    ['main/pdf/x.ts', "import { app } from 'electron';\nexport const a = app;\n", 'Only main/shell may import electron'],
    ['main/signing/x.ts', "import React from 'react';\nexport const a = React;\n", 'must not import React'],
    ['native/x.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;\n", 'Only main/shell'],
    ['main/api/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n", 'no Node built-ins'],
    // The contract is shared with the renderer: from outside itself only the catalogue's key types.
    ['main/api/x.ts', "import { kysoHome } from '../services/paths.js';\nexport const a = kysoHome;\n", 'main/api may import only itself'],
    ['main/api/x.ts', "import { t } from '../../resources/locales/index.js';\nexport const a = t;\n", 'main/api may import only itself'],
    ['preload/x.ts', "import { x } from '../main/services/core.js';\nexport const a = x;\n", 'only main/api'],
    // Engines never reach up into services, cli, shell or host (static, re-export or import()).
    ['main/pdf/x.ts', "import { resourcePath } from '../services/paths.js';\nexport const a = resourcePath;\n", 'never import the layers above them'],
    ['main/validation/report/x.ts', "import { kysoHome } from '../../services/paths.js';\nexport const a = kysoHome;\n", 'never import the layers above them'],
    ['main/pki/x.ts', "export { tr } from '../cli/io.js';\n", 'never import the layers above them'],
    ['main/signing/x.ts', "import type { CliIo } from '../cli/io.js';\nexport type A = CliIo;\n", 'never import the layers above them'],
    ['main/exchange/client/x.ts', "import { startHost } from '../../host/server.js';\nexport const a = startHost;\n", 'never import the layers above them'],
    ['main/store/x.ts', "import { createCore } from '../services/core.js';\nexport const a = createCore;\n", 'never import the layers above them'],
    ['native/x.ts', "import { bindContract } from '../main/shell/ipc-binding.js';\nexport const a = bindContract;\n", 'never import the layers above them'],
    ['native/bridge/x.ts', "export const a = () => import('../../main/services/paths.js');\n", 'not even with import()'],
    ['resources/x.ts', "import { runCli } from '../main/cli/run.js';\nexport const a = runCli;\n", 'never import the layers above them'],
    // The local signing service is an entry point like the host: engines never reach it.
    ['main/signing/x.ts', "import { startLocalService } from '../local-service/service.js';\nexport const a = startLocalService;\n", 'never import the layers above them'],
    ['native/x.ts', "export const a = () => import('../main/local-service/service.js');\n", 'not even with import()'],
    // A new engine folder is an engine without a config change.
    ['main/net/x.ts', "import { kysoHome } from '../services/paths.js';\nexport const a = kysoHome;\n", 'never import the layers above them'],
    // The engine zone replaces the core and ipcMain rules for engines: both must still hold there.
    ['main/store/x.ts', "import { app } from 'electron';\nexport const a = app;\n", 'Only main/shell may import electron'],
    ['main/pdf/x.ts', "const m = {} as { ipcMain: unknown };\nexport const a = m.ipcMain;\n", 'Only main/shell may touch ipcMain'],
  ])('%s: forbidden import is an error', async (file, code, expected) => {
    const errors = await errorsFor(file, code);
    expect(errors.join('\n')).toContain(expected);
  });

  it.each([
    ['renderer/src/x.tsx', "import { contract } from '../../main/api/index.js';\nexport const a = contract;\n"],
    ['main/shell/x.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;\n"],
    ['main/pdf/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n"],
    ['main/pdf/x.ts', "import { resourcePath } from '../../resources/paths.js';\nexport const a = resourcePath;\n"],
    ['main/signing/x.ts', "import type { Signer } from '../pki/signer.js';\nexport const a = (): Signer | null => null;\nexport const b = () => import('./batch.js');\n"],
    ['main/exchange/client/x.ts', "import { KysoError } from '../../api/errors.js';\nexport const a = KysoError;\n"],
    ['main/api/x.ts', "import type { ErrorCode } from '../../resources/locales/keys.js';\nimport { isKysoError } from '../api/errors.js';\nexport const a = (c: ErrorCode) => isKysoError(c);\n"],
    // The layers above may use the engines and each other.
    ['main/services/x.ts', "import { signBatch } from '../signing/batch.js';\nexport const a = signBatch;\n"],
    ['main/cli/x.ts', "import { kysoHome } from '../services/paths.js';\nexport const a = kysoHome;\n"],
    ['main/host/x.ts', "import type { Core } from '../services/core.js';\nexport const a = (c: Core) => c;\n"],
    ['main/local-service/x.ts', "import { signItems } from '../services/sign.js';\nexport const a = signItems;\n"],
    ['main/local-service/vgca/x.ts', "import { fetchBytes } from '../../net/fetch.js';\nexport const a = fetchBytes;\n"],
  ])('%s: allowed import passes', async (file, code) => {
    expect(await errorsFor(file, code)).toEqual([]);
  });
});
