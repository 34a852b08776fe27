// scripts/check-imports.mjs on small trees written to a temp dir: it finds a
// circle (type-only imports included) and an import against the direction the
// tree's README.md table allows, and passes a tree that has neither; and
// host/ itself passes.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { checkImports, readLayerTable } from "../../scripts/check-imports.mjs";
import { repoRoot } from "../helpers/paths";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const TABLE = `# a host

## Who may import whom

| folder or file | may import |
| --- | --- |
| \`top/\` | \`low/\`, \`errors.ts\` |
| \`low/\` | \`errors.ts\` |
| \`errors.ts\` | nothing |
`;

/** A tree: README.md (the table unless given) and the files, path -> text. */
function tree(files: Record<string, string>, readme = TABLE): string {
  const root = mkdtempSync(join(tmpdir(), "check-imports-"));
  dirs.push(root);
  for (const [path, text] of Object.entries({ "README.md": readme, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CLEAN = {
  "errors.ts": "export class E extends Error {}\n",
  "low/a.ts": 'import { E } from "../errors.js";\nexport const a = new E();\n',
  "low/b.ts": 'import { a } from "./a.js";\nexport const b = a;\n',
  "top/c.ts": 'import { b } from "../low/b.js";\nimport type { E } from "../errors";\nexport const c: E = b;\n',
};

describe("scripts/check-imports.mjs", () => {
  it("passes a tree without a circle whose imports all go the allowed way", () => {
    const r = checkImports(tree(CLEAN));
    expect(r.problems).toEqual([]);
    expect(r.files).toBe(4);
    expect(r.edges).toBe(4);
  });

  it("finds a circle closed by a type-only import, and names its files in order", () => {
    const r = checkImports(tree({ ...CLEAN, "low/a.ts": 'import type { b } from "./b.js";\nexport const a = 1 as unknown as typeof b;\n' }));
    expect(r.problems).toEqual(["circle: low/a.ts -> low/b.ts -> low/a.ts"]);
  });

  it("finds a circle through export ... from and import() too", () => {
    const r = checkImports(tree({
      ...CLEAN,
      "low/x.ts": 'export { y } from "./y.js";\n',
      "low/y.ts": 'export const y = 1;\nexport const later = () => import("./z.js");\n',
      "low/z.ts": 'export * from "./x";\n',
    }));
    expect(r.problems).toEqual(["circle: low/x.ts -> low/y.ts -> low/z.ts -> low/x.ts"]);
  });

  it("refuses an import against the allowed direction, naming the file, its line and the rule", () => {
    const root = tree({ ...CLEAN, "low/b.ts": 'import { a } from "./a.js";\n\nimport { c } from "../top/c.js";\nexport const b = a ?? c;\n' });
    expect(checkImports(root).problems).toEqual([
      "circle: low/b.ts -> top/c.ts -> low/b.ts", // top/c.ts imports low/b.ts
      `low/b.ts:3: imports top/c.ts, but low/ may import only errors.ts (${basename(root)}/README.md, "Who may import whom")`,
    ]);
  });

  it("refuses errors.ts importing anything, even a type", () => {
    const root = tree({ ...CLEAN, "errors.ts": 'import type { c } from "./top/c.js";\nexport class E extends Error { c?: typeof c; }\n' });
    expect(checkImports(root).problems.filter((p) => !p.startsWith("circle: "))).toEqual([
      `errors.ts:1: imports top/c.ts, but errors.ts may import nothing (${basename(root)}/README.md, "Who may import whom")`,
    ]);
  });

  it("takes a row naming one file: that file may be imported, its neighbours may not; a file's own row overrides its folder's", () => {
    const readme = TABLE.replace("| `low/` | `errors.ts` |", "| `low/` | `top/c.ts`, `errors.ts` |\n| `low/special.ts` | `top/` |");
    const files = { ...CLEAN, "top/c.ts": "export const c = 1;\n", "top/d.ts": "export const d = 2;\n" };
    expect(checkImports(tree({ ...files, "low/b.ts": 'import { c } from "../top/c.js";\nexport const b = c;\n' }, readme)).problems).toEqual([]);
    expect(checkImports(tree({ ...files, "low/special.ts": 'import { d } from "../top/d.js";\nexport const s = d;\n' }, readme)).problems).toEqual([]);
    const wrong = checkImports(tree({ ...files, "low/b.ts": 'import { d } from "../top/d.js";\nexport const b = d;\n' }, readme));
    expect(wrong.problems).toHaveLength(1);
    expect(wrong.problems[0]).toMatch(/^low\/b\.ts:1: imports top\/d\.ts, but low\/ may import only top\/c\.ts, errors\.ts/);
  });

  it("refuses a folder the table does not name, and an import that names no file", () => {
    const root = tree({ ...CLEAN, "new/e.ts": 'import { a } from "../low/gone.js";\nexport const e = a;\n' });
    expect(checkImports(root).problems).toEqual([
      'new/e.ts:1: "../low/gone.js" names no file',
      `new/ has no row in ${basename(root)}/README.md's table "Who may import whom"`,
    ]);
  });

  it("leaves out unit tests (*.test.ts) and packages", () => {
    const r = checkImports(tree({ ...CLEAN, "low/a.test.ts": 'import { c } from "../top/c.js";\nimport { it } from "vitest";\nit("", () => c);\n' }));
    expect(r.problems).toEqual([]);
  });

  it("says where the table is missing", () => {
    expect(() => readLayerTable("# no table\n", "R.md")).toThrow('R.md: no heading "Who may import whom"');
    expect(() => readLayerTable("## Who may import whom\n\n| a | b |\n| --- | --- |\n| `x/` | |\n", "R.md")).toThrow('R.md:5: say "nothing"');
  });

  it("host/ has no circle and imports only as host/README.md allows", () => {
    expect(checkImports(join(repoRoot, "host")).problems).toEqual([]);
  });
});
