/** Types of build-cli.mjs for the TypeScript callers (bench, tests). */
/** Builds dist/cli/main.js (the CLI) and dist/cli/worker.js (the token bridge) into `outdir`. */
export declare function buildCli(outdir?: string): Promise<void>;
