// CSV as R, Python, Excel and people write it (issue 11): each dialect in
// tests/fixtures/csv/ reads to the same table, or fails with its exact
// message at file:line:column. Files over a read chunk are read in pieces
// and still give the right rows and line numbers.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCsv, parseDelimiter, readCsv, READ_CHUNK_BYTES, type CsvOptions } from "../../host/data/csv";
import { splitTable } from "../../host/data/dataset";

const dir = fileURLToPath(new URL("../fixtures/csv/", import.meta.url));
const fixture = (name: string) => join(dir, name);

/** The message readCsv (and splitTable on the result) fails with, relative to the fixture folder. */
function failure(name: string, options: CsvOptions = {}, target?: string): string {
  try {
    splitTable(readCsv(fixture(name), options), target);
  } catch (err) {
    return (err as Error).message.replace(dir, "");
  }
  throw new Error(`${name} read without an error`);
}

const IRIS3 = [[5.1, 3.5], [7, 3.2], [6.3, 3.3]];
const SPECIES = ["setosa", "versicolor", "virginica"];

describe("dialects that read", () => {
  it("R write.csv(row.names = FALSE): quoted header and quoted strings", () => {
    const t = readCsv(fixture("r-write-csv.csv"));
    expect(t.columns).toEqual(["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width", "Species"]);
    const d = splitTable(t, "Species");
    expect(d.classes).toEqual(SPECIES);
    expect(Array.from(d.t)).toEqual([0, 1, 2]);
    expect(Array.from(d.x)).toEqual(Array.from(Float32Array.from([5.1, 3.5, 1.4, 0.2, 7, 3.2, 4.7, 1.4, 6.3, 3.3, 6, 2.5])));
  });

  it("Python csv.QUOTE_NONNUMERIC with CRLF: embedded delimiter and doubled quotes inside quoted labels", () => {
    const d = splitTable(readCsv(fixture("python-quote-nonnumeric.csv")));
    expect(d.inputNames).toEqual(["sepal length", "sepal width"]);
    expect(d.classes).toEqual(["Iris \"versicolor\"", "Iris virginica", "Iris, setosa"]);
    expect(Array.from(d.t)).toEqual([2, 0, 1]);
    expect(Array.from(d.x)).toEqual(Array.from(Float32Array.from(IRIS3.flat())));
  });

  it("Excel 'CSV UTF-8': BOM and CRLF", () => {
    const t = readCsv(fixture("excel-utf8.csv"));
    expect(t.columns).toEqual(["sepal_length", "sepal_width", "species"]);
    expect(Array.from(t.lines)).toEqual([2, 3, 4]);
    expect(splitTable(t).classes).toEqual(SPECIES);
  });

  for (const [name, delimiter] of [["semicolon.csv", ";"], ["tab.tsv", "\t"]] as const) {
    it(`${name}: the separator is detected from the header, and --delimiter gives the same table`, () => {
      const t = readCsv(fixture(name));
      expect(t.delimiter).toBe(delimiter);
      const d = splitTable(t);
      expect(d.classes).toEqual(SPECIES);
      expect(Array.from(d.x)).toEqual(Array.from(Float32Array.from(IRIS3.flat())));
      expect(readCsv(fixture(name), { delimiter }).values).toEqual(t.values);
    });
  }

  it("a quoted field with newlines (LF and CRLF) inside: rows keep the line they start on", () => {
    const t = readCsv(fixture("embedded-newline.csv"));
    expect(t.rows).toBe(3);
    expect(Array.from(t.lines)).toEqual([2, 4, 7]);
    expect(t.text[2]!.names).toEqual(["two\nlines", "three\r\nmore\nlines", "bad b"]);
  });

  it("--delimiter spellings", () => {
    expect([",", ";", "\t", "\\t", "tab", "TAB", "comma", "semicolon"].map(parseDelimiter)).toEqual([",", ";", "\t", "\t", "\t", "\t", ",", ";"]);
    expect(() => parseDelimiter("|")).toThrow(`--delimiter "|": expected ',', ';' or tab ('\\t')`);
  });
});

describe("dialects that fail, each with its exact message", () => {
  const cases: [string, string, CsvOptions, string?][] = [
    ["R write.csv with row names", "r-write-csv-row-names.csv", {},
      "r-write-csv-row-names.csv:1:1: header column 1 has no name (R's write.csv puts row names there: write the file with row.names = FALSE)"],
    ["Excel with ';' and decimal commas", "excel-semicolon-decimal-comma.csv", {},
      "excel-semicolon-decimal-comma.csv:2:1: column 'sepal_length' (field 1): expected a finite number, got '5,1': a decimal comma? write numbers with a point (5.1)"],
    ["a ';' file read with --delimiter ','", "semicolon.csv", { delimiter: "," },
      "semicolon.csv:1: the header is one column 'sepal_length;sepal_width;species' with --delimiter ',': looks like ';'-separated: try --delimiter ';'"],
    ["a tab file read with --delimiter ';'", "tab.tsv", { delimiter: ";" },
      "tab.tsv:1: the header is one column 'sepal_length\tsepal_width\tspecies' with --delimiter ';': looks like tab-separated: try --delimiter '\\t'"],
    ["a number after quoted newlines: its line counts them", "embedded-newline.csv", {},
      "embedded-newline.csv:7:3: column 'b' (field 2): expected a finite number, got 'x'"],
    ["a column name twice (one of them quoted)", "duplicate-header.csv", {},
      "duplicate-header.csv:1:5: column name 'a' appears twice (columns 1 and 3): each column needs its own name"],
    ["a quote that never closes", "unclosed-quote.csv", {},
      "unclosed-quote.csv:2:3: a quoted field is never closed: the file ends inside it (a missing '\"'?)"],
    ["a quote inside an unquoted field", "stray-quote.csv", {},
      "stray-quote.csv:2:5: a quote inside an unquoted field: quote the whole field (\"...\") and write each quote in it as \"\""],
  ];
  for (const [what, name, options, message] of cases) {
    it(what, () => {
      expect(failure(name, options)).toBe(message);
    });
  }

  it("text after a closing quote", () => {
    expect(() => parseCsv('a,b\n1,"2"x\n', "t.csv")).toThrow(/^t\.csv:2:6: 'x' after a closing quote: a quoted field ends at its quote \(write a quote inside a quoted field as ""\)$/);
  });

  it("a row split by another separator than the header", () => {
    expect(() => parseCsv("a,b,c\n1;2;3\n", "t.csv")).toThrow(/^t\.csv:2: too few columns: expected 3 \(a,b,c\), got 1: the row looks ';'-separated but the header is ','-separated$/);
  });

  it("blank lines and rows of empty fields (as spreadsheets write them) are skipped", () => {
    const t = parseCsv("a,b\n\n1,2\n   \n,\n3,4\n", "t.csv");
    expect(Array.from(t.values)).toEqual([1, 2, 3, 4]);
    expect(Array.from(t.lines)).toEqual([3, 6]);
  });
});

describe("files read in chunks", () => {
  const work = mkdtempSync(join(tmpdir(), "edgeprop-csv-chunks-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("every chunk size from 1 to 64 bytes reads a quoted, CRLF, BOM file exactly as one string does", () => {
    const text = '\uFEFF"a","b","label"\r\n1.5,-2,"x, ""quoted""\r\nover lines"\r\n\r\n3,4,plain\n5,6e-1,"multi\nline\nlabel"\n7,8,last';
    const file = join(work, "small.csv");
    writeFileSync(file, text);
    const whole = parseCsv(text, file);
    expect(Array.from(whole.lines)).toEqual([2, 5, 6, 9]);
    for (let chunkBytes = 1; chunkBytes <= 64; chunkBytes++) {
      const t = readCsv(file, { chunkBytes });
      expect(t.columns, `chunk ${chunkBytes}`).toEqual(["a", "b", "label"]);
      expect(t.values, `chunk ${chunkBytes}`).toEqual(whole.values);
      expect(Array.from(t.lines), `chunk ${chunkBytes}`).toEqual([2, 5, 6, 9]);
      expect(t.text[2]!.names, `chunk ${chunkBytes}`).toEqual(['x, "quoted"\r\nover lines', "plain", "multi\nline\nlabel", "last"]);
      expect(t.fieldPosition(3, 1), `chunk ${chunkBytes}`).toEqual([9, 3]);
    }
  });

  it("a file over READ_CHUNK_BYTES: the same table as from one string, and an error in its last row names its line", () => {
    let text = '"x","y","label"\n';
    let line = 2;
    const starts: number[] = [];
    for (let r = 0; text.length < READ_CHUNK_BYTES + READ_CHUNK_BYTES / 2; r++) {
      const label = r % 7 === 0 ? `"class ${r % 3}\nsecond line, with ""quotes"""` : `class ${r % 3}`;
      const row = `${r * 0.5},${-r},${label}\n`;
      starts.push(line);
      line += row.split("\n").length - 1;
      text += row;
    }
    const file = join(work, "big.csv");
    writeFileSync(file, text + "111,oops,class 0\n");
    expect(() => splitTable(readCsv(file))).toThrow(`${file}:${line}:5: column 'y' (field 2): expected a finite number, got 'oops'`);
    writeFileSync(file, text);
    const fromFile = readCsv(file), fromText = parseCsv(text, file);
    expect(fromFile.rows).toBe(starts.length);
    expect(Array.from(fromFile.lines)).toEqual(starts);
    expect(fromFile.values).toEqual(fromText.values);
    const d = splitTable(fromFile);
    expect(d.classes).toEqual(["class 0", "class 0\nsecond line, with \"quotes\"", "class 1", "class 1\nsecond line, with \"quotes\"",
      "class 2", "class 2\nsecond line, with \"quotes\""]);
  });
});
