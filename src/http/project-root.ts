import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

let projectRoot: string | undefined;

/**
 * The directory of the package.json named "handover", walking up from this file: where the
 * browser pages' sources (web/) and the built bundle (dist/graphiql) are, whether the server runs
 * from TypeScript sources or from dist/.
 */
export function findProjectRoot(): string {
  if (projectRoot) return projectRoot;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkgFile = path.join(dir, "package.json");
    if (existsSync(pkgFile)) {
      const pkg: unknown = JSON.parse(readFileSync(pkgFile, "utf8"));
      if (typeof pkg === "object" && pkg !== null && "name" in pkg && pkg.name === "handover") {
        projectRoot = dir;
        return dir;
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json named "handover" above ${__dirname}`);
    }
  }
}
