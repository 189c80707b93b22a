/** Types of build-cli.mjs for the TypeScript callers (bench, tests). */
/** Builds dist/cli/main.js (the launcher), main.cjs (the CLI bundle) and worker.js (the token bridge) into `outdir`. */
export declare function buildCli(outdir?: string): Promise<void>;
