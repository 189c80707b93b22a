/** Types of build-cli.mjs for the TypeScript callers (bench, tests). */
/** Packages loaded from node_modules at run time, never bundled. */
export declare const CLI_EXTERNALS: string[];
/** Builds dist/cli/main.js (the CLI) and dist/cli/worker.js (the token bridge) into `outdir`. */
export declare function buildCli(outdir?: string): Promise<void>;
