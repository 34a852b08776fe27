// CSV -> a table of numbers (and, for the columns that hold them, text such
// as class labels). The parsing is csv-parse's (RFC 4180: quoted headers and
// fields, embedded delimiters, doubled quotes, newlines inside quotes, CRLF,
// a UTF-8 BOM); this file decides what the fields mean and says, as
// file:line:column, what is wrong where. Large files are read in chunks, so
// no file is ever held as one string.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parse, CsvError } from "csv-parse/sync";
import { InputError, UsageError } from "../errors.js";
import { cut, cutList } from "../text/quote.js";

/** The field separators the reader takes (issue 11). */
export const DELIMITERS = [",", ";", "\t"] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface CsvOptions {
  /** The field separator; default: detected from the header row. */
  delimiter?: Delimiter;
  /** Bytes read from a file at a time (default READ_CHUNK_BYTES; small values test the chunk boundaries). */
  chunkBytes?: number;
  /** Called after each chunk: the bytes and rows read so far, and the file's size (a progress line). */
  onProgress?: (p: ReadProgress) => void;
}

/** How far a read has come. */
export interface ReadProgress {
  bytes: number;
  rows: number;
  size: number;
}

/** The fields of one column that are not numbers, e.g. class labels. */
export interface TextColumn {
  /** Per row: an index into `names`, or -1 where the field is a number (see `values`). */
  codes: Int32Array;
  /** The distinct texts, in order of first appearance. */
  names: string[];
}

export interface NumericTable {
  file: string;
  columns: string[];
  rows: number;
  /**
   * rows x columns, row-major, as float32 (what the board trains on; one
   * contiguous buffer, never an array of numbers per row); NaN where the
   * field is text. A data set made from the table may take this buffer over
   * (dataset.ts): the table's `values` are then no longer read.
   */
  values: Float32Array;
  /** Per column: null when every field is a number, else its text fields. */
  text: (TextColumn | null)[];
  /** The 1-based file line where each row starts, for messages about a row. */
  lines: Uint32Array;
  /** The field separator the file was read with. */
  delimiter: Delimiter;
  /** The 1-based character column where field `c` of row `r` starts (for messages about one value). */
  fieldColumn(r: number, c: number): number;
  /** The 1-based [line, column] where field `c` of row `r` starts (a quoted field can span lines). */
  fieldPosition(r: number, c: number): [number, number];
  /** The 1-based field number of column `c` in the file's rows, when the table is a selection of the file's columns (default c + 1). */
  fieldNumber?(c: number): number;
  /** Things that parsed but deserve a word (a value that float32 turns into 0): at most one per kind. */
  warnings: string[];
}

/** The smallest positive float32 (a subnormal): a value below half of it rounds to 0. */
const FLOAT32_MIN_SUBNORMAL = 1.401298464324817e-45;
const FLOAT32_MAX = 3.4028234663852886e38;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** What spreadsheets and numpy write for a non-finite value: a number that is not finite, never a label. */
export const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
/** `1,5`: a number written with a decimal comma (only possible when the separator is not ','). */
export const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/** Every STRIDE-th row's start is kept (8 bytes), not every row's: a message finds the rows between from there. */
const STRIDE = 16;
/** How much of the file a message about a row of a lone-CR file reads at most past the row's start. */
const MAX_RECORD_SPAN = 1 << 20;

/** Bytes read at a time from a file; a record longer than this makes the chunk grow. */
export const READ_CHUNK_BYTES = 1 << 18;

const QUOTE = 0x22, NEWLINE = 0x0a, CR = 0x0d;

/** The bytes a field may hold for the reader to take it as it is, without csv-parse: printable ASCII but '"' and ' '. */
const PLAIN = (() => {
  const t = new Uint8Array(256);
  for (let b = 0x21; b <= 0x7e; b++) if (b !== QUOTE) t[b] = 1;
  return t;
})();

/** 10^k for k = 0..22: every one exact in float64. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number written in bytes [a, b) when it is a plain decimal
 * ([+-]digits[.digits], at most 15 digits, no exponent) whose value
 * Number() would give by one exact division (an integer below 2^53 over an
 * exact power of ten: one correctly rounded operation); undefined otherwise
 * (the caller asks Number()).
 */
function plainNumber(buf: Buffer, a: number, b: number): number | undefined {
  let i = a, negative = false;
  if (buf[i] === 0x2d) { negative = true; i++; } else if (buf[i] === 0x2b) i++;
  let m = 0, digits = 0, fraction = -1;
  for (; i < b; i++) {
    const c = buf[i];
    if (c >= 0x30 && c <= 0x39) { m = m * 10 + (c - 0x30); digits++; if (fraction >= 0) fraction++; continue; }
    if (c === 0x2e && fraction < 0) { fraction = 0; continue; }
    return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  const v = fraction > 0 ? m / EXACT_POWERS[fraction] : m;
  return negative ? -v : v;
}

/** How many LF bytes `buf` holds. */
function countNewlines(buf: Buffer): number {
  let k = 0;
  for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) k++;
  return k;
}
const NAMES: Record<Delimiter, string> = { ",": "','", ";": "';'", "\t": "tab" };
const FLAG_SPELLING: Record<Delimiter, string> = { ",": "','", ";": "';'", "\t": "'\\t'" };

/** The separator a --delimiter value names: ',' ';' or a tab (also written '\t' or 'tab'). */
export function parseDelimiter(flag: string): Delimiter {
  const spelled: Record<string, Delimiter> = { ",": ",", ";": ";", "\t": "\t", "\\t": "\t", tab: "\t", comma: ",", semicolon: ";" };
  const d = spelled[flag.toLowerCase()];
  if (!d) throw new UsageError(`--delimiter ${JSON.stringify(flag)}: expected ',', ';' or tab ('\\t')`);
  return d;
}

/** How often each separator occurs outside quotes in `line`. */
function separatorCounts(line: string): Record<Delimiter, number> {
  const n: Record<Delimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "," || ch === ";" || ch === "\t")) n[ch]++;
  }
  return n;
}

/** The separator of a header row: the most frequent of ',', ';' and tab outside quotes (',' when none occurs). */
export function detectDelimiter(header: string): Delimiter {
  const n = separatorCounts(header);
  let best: Delimiter = ",";
  for (const d of DELIMITERS) if (n[d] > n[best]) best = d;
  return best;
}

/**
 * Where field `index` of a record starts: the record's text from its first
 * byte, scanned with RFC 4180's rules (used only to place messages, never to
 * read values). Returns the offset of the field's first character that is not
 * leading blank (its opening quote when quoted), and where its quoted part
 * closes (-1 unquoted or unclosed).
 */
export function locateField(record: string, index: number, delimiter: Delimiter): { start: number; closeQuote: number } {
  let i = record.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let f = 0; ; f++) {
    while (i < record.length && (record[i] === " " || (record[i] === "\t" && delimiter !== "\t"))) i++;
    const start = i;
    let closeQuote = -1;
    if (record[i] === '"') {
      i++;
      for (;;) {
        if (i >= record.length) break;
        if (record[i] === '"') {
          if (record[i + 1] === '"') { i += 2; continue; }
          closeQuote = i;
          i++;
          break;
        }
        i++;
      }
    }
    if (f === index) return { start, closeQuote };
    while (i < record.length && record[i] !== delimiter && record[i] !== "\n" && record[i] !== "\r") i++;
    if (i >= record.length || record[i] !== delimiter) return { start: i, closeQuote: -1 };
    i++;
  }
}

/** [line offset, 1-based column] of `pos` in `text` (CRLF, LF and CR each end a line). */
function lineColumnAt(text: string, pos: number): [number, number] {
  let line = 0, lineStart = 0;
  for (let i = 0; i < pos; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (ch === 0x0a || ch === 0x0d) { line++; lineStart = i + 1; }
  }
  const bom = line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return [line, pos - lineStart + 1 - bom];
}

/** Where the bytes come from: the whole text in memory, or an open file read in chunks. */
interface Source {
  /**
   * `carry` (the unfinished end of the last chunk) then the next bytes, or
   * null at the end of the input. Valid until the next call: a file's chunks
   * share one buffer, so a large file leaves no garbage of its size behind.
   */
  next(carry: Buffer | null): Buffer | null;
  /** `length` bytes from file offset `at` (for placing a message after the parse). */
  slice(at: number, length: number): Buffer;
  size: number;
  close(): void;
}

function bufferSource(buf: Buffer): Source {
  let done = false;
  return {
    next: (carry) => { if (done) return null; done = true; return carry ? Buffer.concat([carry, buf]) : buf; },
    slice: (at, length) => buf.subarray(at, at + length),
    size: buf.length,
    close: () => {},
  };
}

function fileSource(file: string, chunkBytes = READ_CHUNK_BYTES): Source {
  const cannot = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    return new InputError(file, null, null, code === "ENOENT" ? "no such file" : `cannot read (${code})`);
  };
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw cannot(err);
  }
  let size: number;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(file, null, null, "not a regular file");
    size = st.size;
  } catch (err) {
    closeSync(fd);
    throw err instanceof InputError ? err : cannot(err);
  }
  const readAt = (handle: number, at: number, length: number): Buffer => readInto(handle, Buffer.alloc(length), at, length);
  const readInto = (handle: number, buf: Buffer, at: number, length: number): Buffer => {
    let got = 0;
    try {
      while (got < length) {
        const n = readSync(handle, buf, got, length - got, at + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw cannot(err);
    }
    return buf.subarray(0, got);
  };
  let pos = 0;
  // One buffer for every chunk: a large file read as fresh buffers leaves the garbage collector tens of MB to find.
  let reused: Buffer | null = null;
  return {
    next: (carry) => {
      if (pos >= size) return null;
      const kept = carry?.length ?? 0;
      const length = Math.min(chunkBytes, size - pos);
      if (!reused || reused.length < kept + length) {
        // A record longer than a chunk: the buffer grows to hold it.
        const grown = Buffer.alloc(Math.max(kept + length, Math.min(chunkBytes, size)));
        carry?.copy(grown, 0);
        reused = grown;
      } else if (carry) {
        carry.copy(reused, 0); // (memmove: the carry is the end of this same buffer)
      }
      const got = readInto(fd, reused.subarray(kept), pos, length);
      if (got.length === 0) return null;
      pos += got.length;
      return reused.subarray(0, kept + got.length);
    },
    // Messages are placed after the table is read and the file closed: open it again for them.
    slice: (at, length) => {
      const handle = openSync(file, "r");
      try {
        return readAt(handle, at, length);
      } finally {
        closeSync(handle);
      }
    },
    size,
    close: () => closeSync(fd),
  };
}

/** What ends a record: csv-parse is given all three, so a file mixing them still reads line by line. */
const RECORD_DELIMITERS = ["\r\n", "\n", "\r"];

/**
 * Calls `onNewline(n, quoted)` for every LF of `buf`, saying whether it is
 * inside quotes. Counting quotes is enough because RFC 4180 quotes come in
 * pairs ("" inside a quoted field is two); a stray quote is csv-parse's
 * error either way. Linear: each quote and each newline is found once.
 */
function eachNewline(buf: Buffer, onNewline: (n: number, quoted: boolean) => void): void {
  let quoted = false, pos = 0;
  let nl = buf.indexOf(NEWLINE, 0);
  for (;;) {
    const q = buf.indexOf(QUOTE, pos);
    const end = q < 0 ? buf.length : q;
    while (nl >= 0 && nl < end) {
      onNewline(nl, quoted);
      nl = buf.indexOf(NEWLINE, nl + 1);
    }
    if (q < 0) return;
    quoted = !quoted;
    pos = q + 1;
  }
}

/** The end (exclusive) of the longest prefix of `buf` that ends with a newline outside quotes, or 0: a chunk cut there never splits a record. */
function safeCut(buf: Buffer): number {
  let cutAt = 0;
  eachNewline(buf, (n, quoted) => { if (!quoted) cutAt = n + 1; });
  return cutAt;
}

/** Where each record of `buf` starts (byte) and on which line (0-based), and how many lines `buf` has. */
function recordBounds(buf: Buffer): { starts: number[]; lines: number[]; breaks: number } {
  const starts = [0], lines = [0];
  let breaks = 0;
  eachNewline(buf, (n, quoted) => {
    breaks++;
    if (!quoted) { starts.push(n + 1); lines.push(breaks); }
  });
  // Nothing after the last newline: no record there (csv-parse emits none either).
  if (starts.length > 0 && starts[starts.length - 1] === buf.length) { starts.pop(); lines.pop(); }
  return { starts, lines, breaks };
}

/** The first record of `buf` that is not blank, as text: the header row (for detecting the separator). */
function firstRecordText(buf: Buffer): string {
  let from = 0;
  for (;;) {
    const n = buf.indexOf(NEWLINE, from);
    const line = buf.subarray(from, n < 0 ? buf.length : n).toString("utf8");
    if (line.trim() !== "" || n < 0) return line;
    from = n + 1;
  }
}

/**
 * A column as a message about one of its fields names it: its name and its
 * 1-based field number in the row ("column 'b' (field 2)"), since the
 * file:line:column before the message counts characters, not fields.
 */
export function columnLabel(columns: readonly string[], c: number): string {
  return `column '${cut(columns[c] ?? "")}' (field ${c + 1})`;
}

/** Column `c` of `table` as a message names it, with its field number in the file ("column 'b' (field 2)"). */
export function fieldLabel(table: NumericTable, c: number): string {
  return `column '${cut(table.columns[c] ?? "")}' (field ${table.fieldNumber ? table.fieldNumber(c) : c + 1})`;
}

/** A field as a message quotes it. */
export function describeField(s: string): string {
  return s === "" ? "an empty field" : `'${cut(s, 20)}'`;
}

export function readCsv(file: string, options: CsvOptions = {}): NumericTable {
  return readTable(fileSource(file, options.chunkBytes), file, options);
}

/**
 * A field as a category or class label names it when it was read as a number:
 * the shortest decimal that gives back its float32 (the table keeps float32),
 * written as JavaScript writes numbers ("1", "0.1", "2.5e-7").
 */
export function numberName(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

export function parseCsv(text: string, file = "<data>", options: CsvOptions = {}): NumericTable {
  return readTable(bufferSource(Buffer.from(text, "utf8")), file, options);
}

function readTable(source: Source, file: string, options: CsvOptions): NumericTable {
  try {
    return readRecords(source, file, options);
  } finally {
    source.close();
  }
}

function readRecords(source: Source, file: string, options: CsvOptions): NumericTable {
  let delimiter = options.delimiter;
  let columns: string[] | null = null;
  let n = 0;
  let headerLine = 1;
  const values = new GrowableFloat32();
  const rowLines = new GrowableUint32();
  // Where rows start in the file, for messages: every STRIDE-th row's byte (a row between is found from there), and each row of a chunk with lone CR line ends.
  const rowStarts = new GrowableFloat64();
  const exactStarts = new Map<number, number>();
  let exactPlacement = false;
  const text: ({ codes: GrowableInt32; names: string[]; index: Map<string, number> } | null)[] = [];
  let rows = 0;
  let underflows = 0;
  let firstUnderflow = "";

  // Where the current chunk sits in the file, and where its current record starts.
  let chunk: Buffer = Buffer.alloc(0);
  let chunkByte = 0, chunkLine = 1;
  let recordByte = 0, recordLine = 1;

  /** file:line:col of field `index` of the record being parsed. */
  const here = (index: number, offsetInField = 0): [number, number] => {
    const record = chunk.subarray(recordByte).toString("utf8");
    const { start } = locateField(record, index, delimiter ?? ",");
    const [dl, col] = lineColumnAt(record, start + offsetInField);
    return [chunkLine + recordLine - 1 + dl, col];
  };

  const onHeader = (fields: string[]): void => {
    const sep = delimiter!;
    const counts = separatorCounts(chunk.subarray(recordByte).toString("utf8").split(/\r?\n|\r/)[0]);
    if (fields.length === 1 && options.delimiter) {
      const other = DELIMITERS.find((d) => d !== sep && counts[d] > 0);
      if (other) {
        throw new InputError(file, headerLine, null, `the header is one column '${cut(fields[0], 40)}' with --delimiter ${FLAG_SPELLING[sep]}: ` +
          `looks like ${NAMES[other]}-separated: try --delimiter ${FLAG_SPELLING[other]}`);
      }
    }
    const seen = new Map<string, number>();
    fields.forEach((c, i) => {
      if (c === "") {
        const [line, col] = here(i);
        const r = i === 0 ? " (R's write.csv puts row names there: write the file with row.names = FALSE)" : "";
        throw new InputError(file, line, col, `header column ${i + 1} has no name${r}`);
      }
      const first = seen.get(c);
      if (first !== undefined) {
        const [line, col] = here(i);
        throw new InputError(file, line, col,
          `column name '${cut(c)}' appears twice (columns ${first + 1} and ${i + 1}): each column needs its own name`);
      }
      seen.set(c, i);
    });
    columns = fields;
    n = fields.length;
    for (let i = 0; i < n; i++) text.push(null);
  };

  /** Field `k` of the row being read is the number `v`, written as `text` (or as bytes [a, b) of it: no string made unless a message needs one). */
  const numberField = (k: number, v: number, text: string | Buffer, a = 0, b = 0): void => {
    const written = () => (typeof text === "string" ? text : text.toString("latin1", a, b));
    if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) {
      const [l, c] = here(k);
      throw new InputError(file, l, c, `${columnLabel(columns!, k)}: expected a finite float32 number, got '${cut(written(), 20)}'`);
    }
    if (v !== 0 && Math.fround(v) === 0) {
      underflows++;
      if (!firstUnderflow) {
        const [l, c] = here(k);
        firstUnderflow = `${file}:${l}:${c}: ${columnLabel(columns!, k)}: ${cut(written(), 20)}`;
      }
    }
    values.push(v);
  };

  /** Field `k` of the row being read is text: a class label, or a mistake the reader of this column reports (it knows which). */
  const textField = (k: number, raw: string): void => {
    let col = text[k];
    if (!col) {
      col = { codes: new GrowableInt32(), names: [], index: new Map() };
      for (let r = 0; r < rows; r++) col.codes.push(-1);
      text[k] = col;
    }
    let code = col.index.get(raw);
    if (code === undefined) { code = col.names.length; col.names.push(raw); col.index.set(raw, code); }
    col.codes.push(code);
    values.push(NaN);
  };

  /** The row is complete: its place in the file, for messages. */
  const endRow = (line: number, byte: number): void => {
    for (let k = 0; k < text.length; k++) {
      const col = text[k];
      if (col && col.codes.length === rows) col.codes.push(-1);
    }
    rowLines.push(line);
    if (rows % STRIDE === 0) rowStarts.push(byte);
    if (exactPlacement) exactStarts.set(rows, byte);
    rows++;
  };

  /**
   * The rows of a chunk that needs no CSV parser (every byte printable ASCII
   * but a quote or a space, the separator, or a line end: what csv-parse
   * would read as the bytes between separators), read straight into the
   * table: no strings for numbers, no array per row. False (nothing read)
   * when the chunk needs the parser.
   */
  const plainChunk = (buf: Buffer): boolean => {
    const sep = delimiter!.charCodeAt(0);
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (PLAIN[b] === 1 || b === sep || b === NEWLINE) continue;
      if (b === CR && buf[i + 1] === NEWLINE) continue;
      return false;
    }
    let line = 0;
    for (let start = 0; start < buf.length; line++) {
      let end = buf.indexOf(NEWLINE, start);
      const next = end < 0 ? buf.length : end + 1;
      if (end < 0) end = buf.length;
      if (end > start && buf[end - 1] === CR) end--;
      recordByte = start;
      recordLine = line + 1;
      plainRecord(buf, start, end, sep, chunkLine + line, chunkByte + start);
      start = next;
    }
    return true;
  };

  const plainRecord = (buf: Buffer, start: number, end: number, sep: number, line: number, byte: number): void => {
    let count = 1, blank = true;
    for (let i = start; i < end; i++) { if (buf[i] === sep) count++; else blank = false; }
    if (blank) return; // a line of nothing but separators: no record (as onRecord)
    if (count !== n) { onRow(buf.toString("latin1", start, end).split(delimiter!), line, byte); return; }
    for (let k = 0, a = start; k < n; k++) {
      let b = buf.indexOf(sep, a);
      if (b < 0 || b > end) b = end;
      const v = plainNumber(buf, a, b);
      if (v !== undefined) numberField(k, v, buf, a, b);
      else {
        const raw = buf.toString("latin1", a, b);
        if (NUMBER.test(raw)) numberField(k, Number(raw), raw); else textField(k, raw);
      }
      a = b + 1;
    }
    endRow(line, byte);
  };

  const onRow = (fields: string[], line: number, byte: number): void => {
    if (fields.length !== n) {
      const what = fields.length < n ? "too few" : "too many";
      let hint = "";
      const other = DELIMITERS.find((d) => d !== delimiter && fields.length === 1 &&
        fields[0].split(d).length === n);
      if (other) hint = `: the row looks ${NAMES[other]}-separated but the header is ${NAMES[delimiter!]}-separated`;
      throw new InputError(file, line, null, `${what} columns: expected ${n} (${cutList(columns!)}), got ${fields.length}${hint}`);
    }
    for (let k = 0; k < n; k++) {
      const raw = fields[k];
      const s = raw.trim();
      if (NUMBER.test(s)) numberField(k, Number(s), s);
      else textField(k, raw);
    }
    endRow(line, byte);
  };

  /** One record of the current chunk: `start` its first byte, `lineOffset` its first line, both relative to the chunk. */
  const onRecord = (fields: string[], start: number, lineOffset: number): void => {
    recordByte = start;
    recordLine = lineOffset + 1;
    const line = chunkLine + lineOffset;
    if (fields.every((f) => f.trim() === "")) return;
    if (columns === null) { headerLine = line; onHeader(fields); } else onRow(fields, line, chunkByte + start);
  };

  let pending: Buffer | null = null;
  let first = true, sized = false;
  const afterChunk = (): void => {
    if (!sized && rows > 0 && source.size > chunkByte) {
      sized = true;
      // Size the table once from the first rows (a little over, so it rarely grows): no doubling copies of a large file.
      const expected = Math.ceil((source.size / chunkByte) * rows * 1.04) + 64;
      values.reserve(expected * n);
      rowLines.reserve(expected);
      rowStarts.reserve(Math.ceil(expected / STRIDE));
    }
    options.onProgress?.({ bytes: chunkByte, rows, size: source.size });
  };
  for (;;) {
    const next = source.next(pending);
    if (next === null && pending === null) break;
    let buf: Buffer = next ?? pending!;
    const end = next === null;
    if (!delimiter) {
      // The header decides; wait for its end (or the file's) before choosing.
      if (!end && safeCut(buf) === 0) { pending = buf; continue; }
      delimiter = detectDelimiter(firstRecordText(buf));
    }
    const cutAt = end ? buf.length : safeCut(buf);
    if (cutAt === 0 && !end) { pending = buf; continue; }
    pending = cutAt < buf.length ? buf.subarray(cutAt) : null;
    buf = buf.subarray(0, cutAt);
    chunk = buf;
    if (columns !== null && plainChunk(buf)) {
      chunkByte += buf.length;
      chunkLine += countNewlines(buf);
      afterChunk();
      if (end) break;
      continue;
    }
    const bounds = recordBounds(buf);
    const parseOptions = { delimiter, bom: first, trim: true, relax_column_count: true, skip_empty_lines: false, record_delimiter: RECORD_DELIMITERS };
    let records: string[][];
    try {
      records = parse(buf, parseOptions) as string[][];
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      // The failing record is the one after those csv-parse completed.
      const k = Number((err as unknown as { records?: number }).records ?? 0);
      const at = k < bounds.starts.length ? k : bounds.starts.length - 1;
      recordByte = bounds.starts[Math.max(0, at)] ?? 0;
      throw csvProblem(err, file, chunk.subarray(recordByte).toString("utf8"), chunkLine + (bounds.lines[Math.max(0, at)] ?? 0), delimiter);
    }
    if (records.length === bounds.starts.length) {
      records.forEach((fields, k) => onRecord(fields, bounds.starts[k], bounds.lines[k]));
    } else {
      // Only lone CR line ends (classic Mac) make the counts differ: ask csv-parse where each record is (slower).
      const placed: [string[], number, number][] = [];
      let start = 0, line = 0;
      parse(buf, { ...parseOptions, on_record: ((fields: string[], info: { bytes: number; lines: number }) => {
        placed.push([fields, start, line]);
        start = info.bytes;
        line = info.lines;
        return null;
      }) as never });
      exactPlacement = true;
      for (const [fields, at, lineOffset] of placed) onRecord(fields, at, lineOffset);
      exactPlacement = false;
    }
    first = false;
    chunkByte += buf.length;
    chunkLine += bounds.breaks;
    afterChunk();
    if (end) break;
  }

  if (columns === null) throw new InputError(file, 1, null, "empty file: expected a header row");
  if (rows === 0) throw new InputError(file, headerLine + 1, null, "no data rows after the header");
  const warnings: string[] = [];
  if (underflows) {
    warnings.push(`${firstUnderflow} is too small for float32 (below ${FLOAT32_MIN_SUBNORMAL / 2}) and becomes 0` +
      (underflows > 1 ? ` (${underflows} values in all)` : ""));
  }
  const lines = rowLines.take();
  const starts = rowStarts.take();
  const sep = delimiter!;
  const size = source.size;
  /** The text of row r's record (and what follows it up to the next row). */
  const recordText = (r: number): string => {
    const exact = exactStarts.get(r);
    if (exact !== undefined) {
      const to = exactStarts.get(r + 1) ?? Math.min(size, exact + MAX_RECORD_SPAN);
      return source.slice(exact, to - exact).toString("utf8");
    }
    // From the stride's first row: the rows up to r, found as the reader found them (line ends outside quotes).
    const k = Math.floor(r / STRIDE);
    const from = starts[k] ?? 0;
    const to = k + 1 < starts.length ? starts[k + 1] : size;
    const buf = source.slice(from, to - from);
    const bounds = recordBounds(buf);
    const want = (lines[r] ?? 0) - (lines[k * STRIDE] ?? 0);
    const i = bounds.lines.indexOf(want);
    return buf.subarray(bounds.starts[i] ?? 0, bounds.starts[i + 1] ?? buf.length).toString("utf8");
  };
  const fieldPosition = (r: number, c: number): [number, number] => {
    const record = recordText(r);
    const [dl, col] = lineColumnAt(record, locateField(record, c, sep).start);
    return [lines[r] + dl, col];
  };
  return {
    file, columns, rows, values: values.take(), lines, delimiter: sep, warnings,
    text: text.map((t) => (t ? { codes: t.codes.take(), names: t.names } : null)),
    fieldPosition,
    fieldColumn: (r, c) => fieldPosition(r, c)[1],
  };
}

/** csv-parse's error as one message at the place it names. */
function csvProblem(err: CsvError, file: string, record: string, line: number, delimiter: Delimiter): InputError {
  const index = Number((err as unknown as { index?: number }).index ?? 0);
  const { start, closeQuote } = locateField(record, index, delimiter);
  const at = (pos: number) => {
    const [dl, col] = lineColumnAt(record, pos);
    return [line + dl, col] as const;
  };
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED": {
      const [l, c] = at(start);
      return new InputError(file, l, c, "a quoted field is never closed: the file ends inside it (a missing '\"'?)");
    }
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE": {
      const pos = closeQuote >= 0 ? closeQuote + 1 : start;
      const [l, c] = at(pos);
      return new InputError(file, l, c, `'${cut(record[pos] ?? "", 1)}' after a closing quote: a quoted field ends at its quote ` +
        `(write a quote inside a quoted field as "")`);
    }
    case "INVALID_OPENING_QUOTE": {
      const q = record.indexOf('"', start);
      const [l, c] = at(q >= 0 ? q : start);
      return new InputError(file, l, c, `a quote inside an unquoted field: quote the whole field ("...") and write each quote in it as ""`);
    }
    default:
      return new InputError(file, line, null, `not valid CSV: ${cut(err.message, 120)}`);
  }
}

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array;

/**
 * A typed array that grows (by half, or to what `reserve` asks), so a table's
 * columns never become a JS array of boxed numbers. `take` hands over the
 * filled part without a copy when little of the buffer is unused (untouched
 * pages of a large buffer cost no memory), else an exact copy.
 */
class Growable<A extends TypedArray> {
  private buf: A;
  length = 0;
  constructor(private readonly make: (n: number) => A) { this.buf = make(1024); }
  capacity(): number { return this.buf.length; }
  reserve(n: number): void {
    if (n <= this.buf.length) return;
    const b = this.make(n);
    b.set(this.buf.subarray(0, this.length) as never);
    this.buf = b;
  }
  push(v: number): void {
    if (this.length === this.buf.length) this.reserve(Math.ceil(this.buf.length * 1.5));
    this.buf[this.length++] = v;
  }
  view(): A { return this.buf.subarray(0, this.length) as A; }
  take(): A {
    const filled = this.view();
    return this.buf.length - this.length <= this.length / 8 ? filled : filled.slice() as A;
  }
}

class GrowableFloat32 extends Growable<Float32Array> { constructor() { super((n) => new Float32Array(n)); } }
class GrowableFloat64 extends Growable<Float64Array> { constructor() { super((n) => new Float64Array(n)); } }
class GrowableInt32 extends Growable<Int32Array> { constructor() { super((n) => new Int32Array(n)); } }
class GrowableUint32 extends Growable<Uint32Array> { constructor() { super((n) => new Uint32Array(n)); } }
