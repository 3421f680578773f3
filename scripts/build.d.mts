/** True when `root`/dist/ holds a build newer than every source, folder and tsconfig it was made from. */
export function isBuilt(root?: string): boolean;
/** Cleans `root`/dist/ and runs tsc over tsconfig.build.json; returns tsc's exit status. */
export function build(root?: string): number;
