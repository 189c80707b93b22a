// Lint rules, including the process boundaries of ARCHITECTURE.md as import zones that CI
// enforces: core folders cannot import electron or react; the renderer cannot import node:*,
// electron, native/ or main/ (except main/api); only main/shell may touch ipcMain.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'tls', 'worker_threads', 'stream', 'stream/*', 'url', 'zlib', 'util', 'events', 'buffer', 'process'];

/** Zone rules, exported so a test can prove a forbidden import fails. */
export const zoneRules = [
  {
    name: 'zone/core',
    files: ['main/**/*.ts', 'native/**/*.ts', 'server/**/*.ts', 'resources/**/*.ts'],
    ignores: ['main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'Only main/shell may import electron.' },
          { group: ['react', 'react/*', 'react-dom', 'react-dom/*'], message: 'Core code must not import React.' },
        ],
      }],
    },
  },
  {
    name: 'zone/api',
    files: ['main/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'main/api is shared with the renderer: no Node built-ins.' },
          { group: ['electron', 'electron/*', 'react', 'react-dom'], message: 'main/api is pure TS.' },
          { group: ['../*', '!../api', '!../api/*'], message: 'main/api may import only itself and resources/locales.' },
        ],
      }],
    },
  },
  {
    name: 'zone/renderer',
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'The renderer has no Node: talk to the core through AppApi.' },
          { group: ['electron', 'electron/*'], message: 'The renderer must not import electron; use window.kyso.' },
          { group: ['**/native', '**/native/**', '**/server', '**/server/**'], message: 'The renderer must not import native/ or server/.' },
          { group: ['**/main/*', '!**/main/api', '**/main/*/**', '!**/main/api/**'], message: 'The renderer may import only main/api from main/.' },
        ],
      }],
    },
  },
  {
    name: 'zone/preload',
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/main/*', '!**/main/api', '**/main/*/**', '!**/main/api/**'], message: 'The preload may import only main/api from main/.' },
          { group: ['**/native', '**/native/**', '**/server/**'], message: 'The preload must not import native/ or server/.' },
        ],
      }],
    },
  },
  {
    name: 'zone/ipcMain',
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['main/shell/**'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "ImportSpecifier[imported.name='ipcMain']", message: 'Only main/shell may touch ipcMain.' },
        { selector: "MemberExpression[property.name='ipcMain']", message: 'Only main/shell may touch ipcMain.' },
        { selector: "ImportSpecifier[imported.name='ipcRenderer']", message: 'Only preload/ may touch ipcRenderer.' },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  ...zoneRules,
  {
    // ipcRenderer is the preload's job.
    files: ['preload/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
