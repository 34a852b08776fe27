// CSV -> numbers. A header row names the columns; every other row must have
// exactly as many fields, each a finite number. Anything else is an
// InputError naming file, line and column.
import { readInputText } from "./input-file.js";
import { InputError } from "./errors.js";

export interface NumericTable {
  file: string;
  columns: string[];
  rows: number;
  /** rows x columns, row-major, as float64 (converted to f32 when staged). */
  values: Float64Array;
  /** The 1-based file line of each row, for messages about a row. */
  lines: Uint32Array;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function readCsv(file: string): NumericTable {
  return parseCsv(readInputText(file), file);
}

export function parseCsv(text: string, file = "<data>"): NumericTable {
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine].trim() === "") headerLine++;
  if (headerLine >= lines.length) throw new InputError(file, 1, null, "empty file: expected a header row");
  const columns = lines[headerLine].replace(/^\uFEFF/, "").split(",").map((c) => c.trim());
  columns.forEach((c, i) => {
    if (c === "") throw new InputError(file, headerLine + 1, null, `header column ${i + 1} has no name`);
  });
  const n = columns.length;
  const values: number[] = [];
  const lineNos: number[] = [];
  for (let li = headerLine + 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === "") continue;
    const fields = line.split(",");
    if (fields.length !== n) {
      const what = fields.length < n ? "too few" : "too many";
      throw new InputError(file, li + 1, null, `${what} columns: expected ${n} (${columns.join(",")}), got ${fields.length}`);
    }
    let col = 1;
    for (let k = 0; k < n; k++) {
      const raw = fields[k];
      const s = raw.trim();
      if (!NUMBER.test(s)) {
        const shown = s === "" ? "an empty field" : `'${s.length > 20 ? s.slice(0, 20) + "..." : s}'`;
        throw new InputError(file, li + 1, col + raw.length - raw.trimStart().length,
          `column '${columns[k]}': expected a finite number, got ${shown}`);
      }
      const v = Number(s);
      if (!Number.isFinite(v) || Math.abs(v) > 3.4028234663852886e38) {
        throw new InputError(file, li + 1, col, `column '${columns[k]}': expected a finite float32 number, got '${s}'`);
      }
      values.push(v);
      col += raw.length + 1;
    }
    lineNos.push(li + 1);
  }
  if (lineNos.length === 0) throw new InputError(file, headerLine + 2, null, "no data rows after the header");
  return { file, columns, rows: lineNos.length, values: Float64Array.from(values), lines: Uint32Array.from(lineNos) };
}
