// Lint rules, including the process boundaries of ARCHITECTURE.md as import zones that CI
// enforces: core folders cannot import electron or react; engines cannot import the layers
// above them; the renderer cannot import node:*, electron, native/ or main/ (except
// main/api); only main/shell may touch ipcMain.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'tls', 'worker_threads', 'stream', 'stream/*', 'url', 'zlib', 'util', 'events', 'buffer', 'process'];

/** What no core code imports: electron (main/shell's) and React (the renderer's). */
const corePatterns = [
  { group: ['electron', 'electron/*'], message: 'Only main/shell may import electron.' },
  { group: ['react', 'react/*', 'react-dom', 'react-dom/*'], message: 'Core code must not import React.' },
];

/**
 * The layers above the engines: use cases, the command line, the two transports and the
 * local signing service for web pages (an entry point like the host).
 */
const upperLayers = ['services', 'cli', 'shell', 'host', 'local-service'];

/**
 * Engines are every folder of main/ that is not an upper layer or the contract (so a new
 * engine folder such as main/net/ is one by default), plus native/ and resources/.
 */
const engineIgnores = [...upperLayers, 'api'].map((d) => `main/${d}/**`);

/** ipcMain belongs to main/shell, ipcRenderer to preload/. */
const ipcSelectors = [
  { selector: "ImportSpecifier[imported.name='ipcMain']", message: 'Only main/shell may touch ipcMain.' },
  { selector: "MemberExpression[property.name='ipcMain']", message: 'Only main/shell may touch ipcMain.' },
  { selector: "ImportSpecifier[imported.name='ipcRenderer']", message: 'Only preload/ may touch ipcRenderer.' },
];

/** Zone rules, exported so a test can prove a forbidden import fails. */
export const zoneRules = [
  {
    name: 'zone/core',
    files: ['main/**/*.ts', 'native/**/*.ts', 'server/**/*.ts', 'resources/**/*.ts'],
    ignores: ['main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: corePatterns }],
    },
  },
  {
    // Overrides zone/core for the engines (a later config replaces the rule), so it repeats its patterns.
    name: 'zone/engines',
    files: ['main/**/*.ts', 'native/**/*.ts', 'resources/**/*.ts'],
    ignores: engineIgnores,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...corePatterns,
          {
            regex: `(^|/)(main/)?(${upperLayers.join('|')})(/|$)`,
            message: 'Engines (pdf, pki, signing, validation, exchange, store, native...) never import the layers above them: services, cli, shell, host, local-service.',
          },
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
          // Up one level only into main/api itself; up two only to the catalogue's key types (ErrorCode).
          { regex: '^\\.\\./(?!api(/|$)|\\.\\./)|^\\.\\./\\.\\./(?!resources/locales/keys\\.js$)', message: 'main/api may import only itself and the key types of resources/locales.' },
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
    rules: { 'no-restricted-syntax': ['error', ...ipcSelectors] },
  },
  {
    // no-restricted-imports does not see import(): the engines' dynamic imports are checked
    // here (repeating zone/ipcMain's selectors, which this config replaces for the engines).
    name: 'zone/engines-dynamic',
    files: ['main/**/*.ts', 'native/**/*.ts', 'resources/**/*.ts'],
    ignores: engineIgnores,
    rules: {
      'no-restricted-syntax': ['error', ...ipcSelectors, {
        // \u002F is '/': esquery's regex literals cannot hold a slash.
        selector: `ImportExpression[source.value=/(^|\\u002F)(${upperLayers.join('|')})(\\u002F|$)/]`,
        message: 'Engines never import the layers above them (services, cli, shell, host, local-service), not even with import().',
      }],
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
