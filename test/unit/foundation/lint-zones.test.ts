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
    ['preload/x.ts', "import { x } from '../main/services/core.js';\nexport const a = x;\n", 'only main/api'],
  ])('%s: forbidden import is an error', async (file, code, expected) => {
    const errors = await errorsFor(file, code);
    expect(errors.join('\n')).toContain(expected);
  });

  it.each([
    ['renderer/src/x.tsx', "import { contract } from '../../main/api/index.js';\nexport const a = contract;\n"],
    ['main/shell/x.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;\n"],
    ['main/pdf/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n"],
  ])('%s: allowed import passes', async (file, code) => {
    expect(await errorsFor(file, code)).toEqual([]);
  });
});
