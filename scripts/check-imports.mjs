// @ts-check
// The host's imports: no circle, and every import in the direction host/README.md
// allows between its folders. The rule is the table under README's heading
// "Who may import whom" (read from there, so it is written in one place); the
// imports are read with TypeScript's own pre-processor (ts.preProcessFile), so
// `import type`, `export ... from` and `import()` all count. Unit tests
// (*.test.ts) sit beside the code but are not part of its layers: they are left
// out. `node scripts/check-imports.mjs [DIR]` checks DIR (default host/);
// `npm test` runs it before the tests.
import ts from "typescript";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The heading the layer table sits under in README.md. */
export const LAYER_HEADING = "Who may import whom";

const SOURCE = /\.(ts|mts|mjs)$/;
const LEFT_OUT = /(\.test\.ts|\.d\.ts|\.d\.mts)$/;

/**
 * @typedef {{ from: string, to: string, line: number }} Edge
 *   An import of file `to` by file `from` (both relative to the host directory, with "/").
 * @typedef {Map<string, Set<string>>} LayerTable
 *   What each folder ("cli"), top-level file ("errors.ts") or single file with a row of its own
 *   ("cli/main.ts") may import: folders and files.
 */

/** `errors.ts` -> "errors.ts", `cli/` -> "cli", `cli/args.ts` -> "cli/args.ts". @param {string} cell */
function names(cell) {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? "").replace(/\/$/, ""));
}

/**
 * The layer table under README's LAYER_HEADING: rows "| `folder/` | `a/`, `b.ts` |",
 * or "nothing" in the second column.
 * @param {string} readme the README's text
 * @param {string} file its path, for messages
 * @returns {LayerTable}
 */
export function readLayerTable(readme, file) {
  const lines = readme.split("\n");
  const at = lines.findIndex((l) => /^#+\s/.test(l) && l.includes(LAYER_HEADING));
  if (at < 0) throw new Error(`${file}: no heading "${LAYER_HEADING}" (the layer table the import check reads)`);
  /** @type {LayerTable} */
  const table = new Map();
  let i = at + 1;
  while (i < lines.length && !(lines[i] ?? "").startsWith("|")) i++;
  for (; i < lines.length && (lines[i] ?? "").startsWith("|"); i++) {
    const cells = (lines[i] ?? "").split("|").slice(1, -1).map((c) => c.trim());
    const [who, may] = names(cells[0] ?? "");
    if (who === undefined) continue; // the header and the separator row
    if (may !== undefined || cells.length !== 2) throw new Error(`${file}:${i + 1}: a row of the layer table is "| \`folder/\` | \`a/\`, \`b.ts\` |"`);
    const allowed = (cells[1] ?? "").trim() === "nothing" ? [] : names(cells[1] ?? "");
    if (allowed.length === 0 && (cells[1] ?? "").trim() !== "nothing") throw new Error(`${file}:${i + 1}: say "nothing" when ${who} may import nothing`);
    table.set(who, new Set(allowed));
  }
  if (table.size === 0) throw new Error(`${file}:${at + 1}: no table under "${LAYER_HEADING}"`);
  return table;
}

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return SOURCE.test(name) && !LEFT_OUT.test(name) ? [p] : [];
  });
}

/** The file a relative specifier names, as esbuild and vitest find it (`.js` for a `.ts`), or null. @param {string} path */
function resolveFile(path) {
  const candidates = [path, path.replace(/\.js$/, ".ts"), path.replace(/\.mjs$/, ".mts"), `${path}.ts`, `${path}.mts`, join(path, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** @param {string} root @param {string} path */
const rel = (root, path) => relative(root, path).split(sep).join("/");

/**
 * Every import between the files under `root` (imports of packages and of
 * files outside `root` are not the layers' business).
 * @param {string} root
 * @returns {{ files: string[], edges: Edge[], unresolved: string[] }}
 */
export function importGraph(root) {
  const files = sourceFiles(root);
  /** @type {Edge[]} */
  const edges = [];
  /** @type {string[]} */
  const unresolved = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), ref.fileName);
      const line = text.slice(0, ref.pos).split("\n").length;
      if (relative(root, target).startsWith("..")) continue;
      const to = resolveFile(target);
      if (to === null) { unresolved.push(`${rel(root, file)}:${line}: "${ref.fileName}" names no file`); continue; }
      edges.push({ from: rel(root, file), to: rel(root, to), line });
    }
  }
  return { files: files.map((f) => rel(root, f)), edges, unresolved };
}

/**
 * The circles among `edges`: one per strongly connected component (Tarjan),
 * each as its shortest path that comes back to where it starts, with all the
 * component's files (sorted).
 * @param {string[]} files
 * @param {Edge[]} edges
 * @returns {{ path: string[], files: string[] }[]}
 */
export function circles(files, edges) {
  /** @type {Map<string, string[]>} */
  const next = new Map(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  /** @type {Map<string, number>} */
  const index = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const components = [];
  /** @param {string} v */
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v); onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      /** @type {string[]} */
      const component = [];
      let w;
      do { w = stack.pop(); if (w !== undefined) { onStack.delete(w); component.push(w); } } while (w !== v && w !== undefined);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return components.map((component) => ({ path: shortestCircle(component.sort(), next), files: component }));
}

/** The shortest path from the component's first file back to itself, inside the component. @param {string[]} component @param {Map<string, string[]>} next */
function shortestCircle(component, next) {
  const start = component[0] ?? "";
  const inside = new Set(component);
  /** @type {Map<string, string>} */
  const cameFrom = new Map();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i] ?? "";
    for (const w of next.get(v) ?? []) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u) ?? start) path.splice(1, 0, u);
        return [...path, start];
      }
      if (inside.has(w) && !cameFrom.has(w)) { cameFrom.set(w, v); queue.push(w); }
    }
  }
  return [start, start];
}

/** A folder as README writes it ("cli/"), a file as it is. @param {string} name */
const shown = (name) => (name.includes(".") ? name : `${name}/`);

/** "cli/args.ts" -> "cli"; "errors.ts" -> "errors.ts". @param {string} file */
export const layerOf = (file) => file.split("/")[0] ?? file;

/**
 * The imports the table does not allow: from one folder (or top-level file)
 * into another that its row does not name (by folder, or the file itself). A
 * file with a row of its own follows that row instead of its folder's.
 * @param {string[]} files
 * @param {Edge[]} edges
 * @param {LayerTable} table
 * @param {string} readme the table's file, as messages name it
 * @returns {string[]}
 */
export function wrongDirections(files, edges, table, readme) {
  const problems = [...new Set(files.map(layerOf))].filter((l) => !table.has(l))
    .map((l) => `${shown(l)} has no row in ${readme}'s table "${LAYER_HEADING}"`);
  for (const e of edges) {
    const from = table.has(e.from) ? e.from : layerOf(e.from), to = layerOf(e.to);
    const allowed = table.get(from);
    if (layerOf(e.from) === to || !allowed || allowed.has(to) || allowed.has(e.to)) continue;
    problems.push(`${e.from}:${e.line}: imports ${e.to}, but ${shown(from)} may import ` +
      `${allowed.size ? `only ${[...allowed].map(shown).join(", ")}` : "nothing"} (${readme}, "${LAYER_HEADING}")`);
  }
  return problems;
}

/**
 * Everything wrong with the imports under `root` against the layer table in
 * `root`/README.md, one line each; empty when all is well.
 * @param {string} root
 * @returns {{ problems: string[], files: number, edges: number }}
 */
export function checkImports(root) {
  const readme = join(root, "README.md");
  const table = readLayerTable(readFileSync(readme, "utf8"), readme);
  const g = importGraph(root);
  const problems = [
    ...g.unresolved,
    ...circles(g.files, g.edges).map((c) => `circle: ${c.path.join(" -> ")}` +
      (c.files.length + 1 > c.path.length ? ` (one of ${c.files.length} files that import each other: ${c.files.join(", ")})` : "")),
    ...wrongDirections(g.files, g.edges, table, `${basename(root)}/README.md`),
  ];
  return { problems, files: g.files.length, edges: g.edges.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "host"));
  const r = checkImports(root);
  for (const p of r.problems) console.error(p);
  console.log(r.problems.length
    ? `imports: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"} in ${rel(process.cwd(), root) || "."}/`
    : `imports: ${r.files} files, ${r.edges} imports, no circle, every import in the direction ${rel(process.cwd(), join(root, "README.md"))} allows`);
  process.exit(r.problems.length ? 1 : 0);
}
