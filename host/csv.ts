// CSV -> numbers. A header row names the columns; every other row must have
// exactly as many fields, each a finite number. Anything else is an
// InputError naming file, line and column.
import { readInputText } from "./input-file.js";
import { InputError } from "./errors.js";
import { cut, cutList } from "./quote.js";

export interface NumericTable {
  file: string;
  columns: string[];
  rows: number;
  /** rows x columns, row-major, as float64 (converted to f32 when staged). */
  values: Float64Array;
  /** The 1-based file line of each row, for messages about a row. */
  lines: Uint32Array;
  /** The 1-based character column where field `c` of row `r` starts (for messages about one value). */
  fieldColumn(r: number, c: number): number;
  /** Things that parsed but deserve a word (a value that float32 turns into 0): at most one per kind. */
  warnings: string[];
}

/** The smallest positive float32 (a subnormal): a value below half of it rounds to 0. */
const FLOAT32_MIN_SUBNORMAL = 1.401298464324817e-45;
const FLOAT32_MAX = 3.4028234663852886e38;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function readCsv(file: string): NumericTable {
  return parseCsv(readInputText(file), file);
}

export function parseCsv(text: string, file = "<data>"): NumericTable {
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine].trim() === "") headerLine++;
  if (headerLine >= lines.length) throw new InputError(file, 1, null, "empty file: expected a header row");
  const header = lines[headerLine].replace(/^\uFEFF/, "");
  const columns = header.split(",").map((c) => c.trim());
  const seen = new Map<string, number>();
  let at = 1;
  header.split(",").forEach((raw, i) => {
    const c = columns[i];
    if (c === "") throw new InputError(file, headerLine + 1, at, `header column ${i + 1} has no name`);
    const first = seen.get(c);
    if (first !== undefined) {
      throw new InputError(file, headerLine + 1, at + raw.length - raw.trimStart().length,
        `column name '${cut(c)}' appears twice (columns ${first + 1} and ${i + 1}): each column needs its own name`);
    }
    seen.set(c, i);
    at += raw.length + 1;
  });
  const n = columns.length;
  const values: number[] = [];
  const lineNos: number[] = [];
  let underflows = 0;
  let firstUnderflow = "";
  for (let li = headerLine + 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === "") continue;
    const fields = line.split(",");
    if (fields.length !== n) {
      const what = fields.length < n ? "too few" : "too many";
      throw new InputError(file, li + 1, null, `${what} columns: expected ${n} (${cutList(columns)}), got ${fields.length}`);
    }
    let col = 1;
    for (let k = 0; k < n; k++) {
      const raw = fields[k];
      const s = raw.trim();
      if (!NUMBER.test(s)) {
        const shown = s === "" ? "an empty field" : `'${cut(s, 20)}'`;
        throw new InputError(file, li + 1, col + raw.length - raw.trimStart().length,
          `column '${cut(columns[k])}': expected a finite number, got ${shown}`);
      }
      const v = Number(s);
      if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) {
        throw new InputError(file, li + 1, col, `column '${cut(columns[k])}': expected a finite float32 number, got '${cut(s, 20)}'`);
      }
      if (v !== 0 && Math.fround(v) === 0) {
        underflows++;
        if (!firstUnderflow) firstUnderflow = `${file}:${li + 1}:${col}: column '${cut(columns[k])}': ${cut(s, 20)}`;
      }
      values.push(v);
      col += raw.length + 1;
    }
    lineNos.push(li + 1);
  }
  if (lineNos.length === 0) throw new InputError(file, headerLine + 2, null, "no data rows after the header");
  const warnings: string[] = [];
  if (underflows) {
    warnings.push(`${firstUnderflow} is too small for float32 (below ${FLOAT32_MIN_SUBNORMAL / 2}) and becomes 0` +
      (underflows > 1 ? ` (${underflows} values in all)` : ""));
  }
  const rowLines = Uint32Array.from(lineNos);
  const fieldColumn = (r: number, c: number): number => {
    const fields = lines[rowLines[r] - 1].split(",");
    let col = 1;
    for (let k = 0; k < c; k++) col += fields[k].length + 1;
    return col + fields[c].length - fields[c].trimStart().length;
  };
  return { file, columns, rows: lineNos.length, values: Float64Array.from(values), lines: rowLines, fieldColumn, warnings };
}
