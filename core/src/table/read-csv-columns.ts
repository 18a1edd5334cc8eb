// Streaming CSV reader: bytes in, typed columns out (Float64 numbers, dictionary-coded text), no per-row objects.
import { ByteDictionary, DistinctHashes, NotUtf8Error } from './byte-dictionary';
import { ChunkedCodes, ChunkedFloat64 } from './chunked-arrays';
import { parseNumberBytes } from './parse-number-bytes';

/** Bad CSV input: names the source and, for a malformed record, its 1-based line. */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** A one-shot stream of byte chunks (`ReadableStream` without the DOM typings). */
export interface ByteStream {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array }>;
    releaseLock(): void;
  };
}

/** Chunks of a CSV file: an async or sync iterable of byte chunks, or a web `ReadableStream`. */
export type CsvChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ByteStream;

/**
 * Where CSV bytes come from: the whole file (bytes or text), or a function opening it afresh each call (so a
 * column that turns out to hold text after numbers can be re-read). A bare stream can be read once only.
 */
export type CsvSource = Uint8Array | string | (() => CsvChunks) | CsvChunks;

export type CsvColumnType = 'numerical' | 'categorical';

/** Where a column first holds a non-number: the 1-based data row and the text. */
export interface FirstText {
  readonly row: number;
  readonly text: string;
}

/** A column as read: `present` counts non-missing cells. */
export type CsvColumn =
  | { readonly type: 'numerical'; readonly values: Float64Array; readonly present: number }
  | {
      readonly type: 'categorical';
      /** One code per row into `categories` (order of first appearance), -1 where missing; Int8 while they fit. */
      readonly codes: Int8Array | Int16Array | Int32Array;
      readonly categories: readonly string[];
      readonly present: number;
      /** The first cell that is not a number (null when forced categorical and never checked). */
      readonly firstText: FirstText | null;
      /** Every non-missing value differs from every other. */
      readonly distinct: boolean;
    }
  | {
      /** Text whose values were all distinct, read without keeping them (see `CsvReadOptions.distinctIds`). */
      readonly type: 'id';
      readonly present: number;
      readonly firstText: FirstText | null;
    };

export interface CsvColumns {
  readonly name: string;
  readonly header: readonly string[];
  /** Data rows (blank lines are not rows). */
  readonly rows: number;
  /** The selected columns in header order. */
  readonly columns: ReadonlyMap<string, CsvColumn>;
}

export interface CsvReadOptions {
  /** Names the source in error messages (e.g. the file path). */
  readonly name?: string;
  /** Read only these columns (default: all). Names absent from the header are ignored. */
  readonly only?: readonly string[];
  /** Do not read these columns. */
  readonly skip?: readonly string[];
  /** Forced types; other columns are numerical while every value is a number, else categorical. */
  readonly types?: Readonly<Record<string, CsvColumnType>>;
  /** Read every column as text (categorical), keeping each cell's text as written (trimmed). */
  readonly allText?: boolean;
  /**
   * A text column still all-distinct after this many values stops keeping its values and, if it stays
   * all-distinct, is returned as `{ type: 'id' }` (default: never; drift passes a threshold).
   */
  readonly distinctIds?: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

const MODE_NUMBER = 0;
const MODE_TEXT = 1;
const MODE_ID = 2;
const MODE_REREAD = 3;

const fatal = new TextDecoder('utf-8', { fatal: true });

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

class ColumnState {
  mode = MODE_NUMBER;
  readonly forced: CsvColumnType | undefined;
  numbers: ChunkedFloat64 | null = null;
  codes: ChunkedCodes | null = null;
  dict: ByteDictionary | null = null;
  hashes: DistinctHashes | null = null;
  present = 0;
  firstText: FirstText | null = null;
  distinct = true;
  constructor(
    readonly name: string,
    readonly index: number,
    forced: CsvColumnType | undefined,
  ) {
    this.forced = forced;
    if (forced === 'categorical') this.toText(0);
    else this.numbers = new ChunkedFloat64();
  }
  /** Switches to dictionary codes, with `missing` missing rows before. */
  toText(missing: number): void {
    this.mode = MODE_TEXT;
    this.numbers = null;
    this.codes = new ChunkedCodes();
    this.codes.pushMany(-1, missing);
    this.dict = new ByteDictionary();
  }
}

/** Parses CSV bytes pushed chunk by chunk into column states. */
class CsvColumnParser {
  private readonly name: string;
  private carry: Uint8Array | null = null;
  private started = false;
  private header: string[] | null = null;
  private states: (ColumnState | null)[] = [];
  private active: ColumnState[] = [];
  private line = 1;
  rows = 0;
  private fStart = new Int32Array(64);
  private fEnd = new Int32Array(64);
  private fFlag = new Uint8Array(64);
  private scratch = new Uint8Array(256);

  constructor(private readonly options: CsvReadOptions) {
    this.name = options.name ?? 'input';
  }

  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry && this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    if (!this.started) {
      if (buf.length < 3) {
        this.carry = buf.slice();
        return;
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const used = this.parse(buf, false);
    this.carry = used < buf.length ? buf.slice(used) : null;
  }

  finish(): CsvColumns {
    let buf = this.carry ?? new Uint8Array(0);
    if (!this.started && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    this.started = true;
    this.parse(buf, true);
    this.carry = null;
    if (!this.header) throw new CsvError(`${this.name}: the file is empty (no header row)`);
    const columns = new Map<string, CsvColumn>();
    for (const s of this.active) columns.set(s.name, this.column(s));
    return { name: this.name, header: this.header, rows: this.rows, columns };
  }

  /** Columns that must be read again as text (numbers first, then text; or ids that repeated). */
  reread(): string[] {
    return this.active.filter((s) => s.mode === MODE_REREAD).map((s) => s.name);
  }

  private column(s: ColumnState): CsvColumn {
    if (s.mode === MODE_NUMBER)
      return { type: 'numerical', values: s.numbers!.toArray(), present: s.present };
    if (s.mode === MODE_ID) return { type: 'id', present: s.present, firstText: s.firstText };
    if (s.mode === MODE_REREAD) return { type: 'id', present: s.present, firstText: s.firstText };
    const distinct = s.distinct && s.dict!.size === s.present;
    const threshold = this.options.distinctIds;
    if (threshold !== undefined && s.forced === undefined && distinct && s.present >= threshold) {
      return { type: 'id', present: s.present, firstText: s.firstText };
    }
    let categories: string[];
    try {
      categories = s.dict!.keys();
    } catch (error) {
      if (error instanceof NotUtf8Error) throw this.notUtf8(s.name);
      throw error;
    }
    return {
      type: 'categorical',
      codes: s.codes!.toArray(),
      categories,
      present: s.present,
      firstText: s.firstText,
      distinct,
    };
  }

  private notUtf8(column: string): CsvError {
    return new CsvError(`${this.name}: the file is not UTF-8 text (column "${column}" holds other bytes)`);
  }

  private text(buf: Uint8Array, s: number, e: number, column: string): string {
    try {
      return fatal.decode(buf.subarray(s, e));
    } catch {
      throw this.notUtf8(column);
    }
  }

  private ensureFields(n: number): void {
    if (n < this.fStart.length) return;
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.fStart = grow(this.fStart, (k) => new Int32Array(k));
    this.fEnd = grow(this.fEnd, (k) => new Int32Array(k));
    this.fFlag = grow(this.fFlag, (k) => new Uint8Array(k));
  }

  /** Parses complete records of `buf`; returns where the first incomplete one starts (all of it when final). */
  private parse(buf: Uint8Array, final: boolean): number {
    const len = buf.length;
    let p = 0;
    while (p < len) {
      const recordStart = p;
      let newlines = 0;
      let nf = 0;
      let done = false;
      while (!done) {
        // One field starting at p.
        let s: number;
        let e: number;
        let flag = 0;
        if (p < len && buf[p] === QUOTE) {
          p++;
          s = p;
          for (;;) {
            if (p >= len) {
              if (!final) return recordStart;
              throw new CsvError(
                `${this.name}: line ${this.line}: a quoted field is not closed (unbalanced quote)`,
              );
            }
            const b = buf[p]!;
            if (b === QUOTE) {
              if (p + 1 < len && buf[p + 1] === QUOTE) {
                flag = 2;
                p += 2;
                continue;
              }
              if (p + 1 >= len && !final) return recordStart;
              break;
            }
            if (b === LF || (b === CR && buf[p + 1] !== LF)) newlines++;
            p++;
          }
          e = p;
          p++;
          if (flag === 0) flag = 1;
          while (p < len && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
          if (p < len && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) {
            throw new CsvError(
              `${this.name}: line ${this.line + newlines}: unexpected text after a closing quote (unbalanced quote)`,
            );
          }
        } else {
          s = p;
          while (p < len) {
            const b = buf[p]!;
            // Letters and digits are above ',' (0x2c): one comparison for most bytes.
            if (b <= COMMA && (b === COMMA || b === LF || b === CR)) break;
            p++;
          }
          e = p;
        }
        if (p >= len && !final) return recordStart;
        if (nf >= this.fStart.length) {
          if (this.header) nf++;
          else {
            this.ensureFields(nf);
          }
        }
        if (nf < this.fStart.length) {
          this.fStart[nf] = s;
          this.fEnd[nf] = e;
          this.fFlag[nf] = flag;
          nf++;
        }
        if (p >= len) {
          done = true;
        } else {
          const b = buf[p]!;
          if (b === COMMA) {
            p++;
            if (p >= len && final) {
              // A trailing delimiter at the end of the input: one more, empty field.
              this.ensureFields(nf);
              if (nf < this.fStart.length) {
                this.fStart[nf] = p;
                this.fEnd[nf] = p;
                this.fFlag[nf] = 0;
              }
              nf++;
              done = true;
            }
          } else {
            if (b === CR) {
              if (p + 1 >= len && !final) return recordStart;
              p += buf[p + 1] === LF ? 2 : 1;
            } else p++;
            newlines++;
            done = true;
          }
        }
      }
      this.record(buf, nf);
      this.line += newlines;
      if (newlines === 0) this.line++;
    }
    return p;
  }

  /** Whether every field of the record is blank (only then is it skipped). */
  private blankRecord(buf: Uint8Array, nf: number): boolean {
    for (let j = 0; j < nf && j < this.fStart.length; j++) {
      const e = this.fEnd[j]!;
      for (let i = this.fStart[j]!; i < e; i++) if (!isSpace(buf[i]!)) return false;
    }
    return true;
  }

  /** One record's fields [0, nf): the header, a blank line (skipped), or a data row. */
  private record(buf: Uint8Array, nf: number): void {
    // A record is blank only if its first field is: check the rest only then.
    const s0 = this.fStart[0]!;
    if ((this.fEnd[0] === s0 || isSpace(buf[s0]!)) && this.blankRecord(buf, nf)) return;
    if (!this.header) {
      this.startHeader(buf, nf);
      return;
    }
    const width = this.header.length;
    if (nf !== width) {
      throw new CsvError(`${this.name}: line ${this.line} has ${nf} fields, the header has ${width}`);
    }
    this.rows++;
    const row = this.rows;
    const active = this.active;
    for (let k = 0; k < active.length; k++) {
      const c = active[k]!;
      let s = this.fStart[c.index]!;
      let e = this.fEnd[c.index]!;
      if (s < e && (isSpace(buf[s]!) || isSpace(buf[e - 1]!))) {
        while (s < e && isSpace(buf[s]!)) s++;
        while (e > s && isSpace(buf[e - 1]!)) e--;
      }
      let src = buf;
      if (this.fFlag[c.index] === 2) {
        ({ buf: src, s, e } = this.unescape(buf, s, e));
      }
      if (s === e) {
        if (c.mode === MODE_NUMBER) c.numbers!.push(Number.NaN);
        else if (c.mode === MODE_TEXT) c.codes!.push(-1);
        continue;
      }
      c.present++;
      switch (c.mode) {
        case MODE_NUMBER: {
          const v = parseNumberBytes(src, s, e);
          if (!Number.isNaN(v)) {
            c.numbers!.push(v);
            break;
          }
          c.firstText = { row, text: this.text(src, s, e, c.name) };
          if (c.forced === 'numerical') {
            throw new CsvError(
              `${this.name}: column "${c.name}" is numerical but row ${row} holds "${c.firstText.text}", not a number`,
            );
          }
          if (c.present === 1) {
            c.toText(row - 1);
            this.addText(c, src, s, e);
          } else {
            c.mode = MODE_REREAD;
            c.numbers = null;
          }
          break;
        }
        case MODE_TEXT:
          if (c.firstText === null && c.forced === undefined && Number.isNaN(parseNumberBytes(src, s, e))) {
            c.firstText = { row, text: this.text(src, s, e, c.name) };
          }
          this.addText(c, src, s, e);
          break;
        case MODE_ID:
          if (!c.hashes!.add(src, s, e)) {
            c.mode = MODE_REREAD;
            c.hashes = null;
          } else if (this.hasHighByte(src, s, e)) this.text(src, s, e, c.name);
          break;
        default:
          break;
      }
    }
  }

  private hasHighByte(buf: Uint8Array, s: number, e: number): boolean {
    for (let i = s; i < e; i++) if (buf[i]! >= 0x80) return true;
    return false;
  }

  private addText(c: ColumnState, buf: Uint8Array, s: number, e: number): void {
    const dict = c.dict!;
    const before = dict.size;
    const code = dict.code(buf, s, e);
    c.codes!.push(code);
    if (dict.size === before) {
      c.distinct = false;
      return;
    }
    const threshold = this.options.distinctIds;
    if (
      c.distinct &&
      threshold !== undefined &&
      c.forced === undefined &&
      dict.size >= Math.max(threshold, 65_536)
    ) {
      // Still all distinct after many values: an id column. Keep only hashes from here on.
      const hashes = new DistinctHashes();
      dict.forEachKey((b, ks, ke) => {
        hashes.add(b, ks, ke);
      });
      try {
        dict.keys();
      } catch (error) {
        if (error instanceof NotUtf8Error) throw this.notUtf8(c.name);
        throw error;
      }
      c.hashes = hashes;
      c.dict = null;
      c.codes = null;
      c.mode = MODE_ID;
    }
  }

  /** The content of a quoted field with `""` escapes, unescaped into scratch space. */
  private unescape(buf: Uint8Array, s: number, e: number): { buf: Uint8Array; s: number; e: number } {
    if (this.scratch.length < e - s) this.scratch = new Uint8Array(2 * (e - s));
    const out = this.scratch;
    let k = 0;
    for (let i = s; i < e; i++) {
      out[k++] = buf[i]!;
      if (buf[i] === QUOTE) i++;
    }
    return { buf: out, s: 0, e: k };
  }

  private startHeader(buf: Uint8Array, nf: number): void {
    const header: string[] = [];
    for (let j = 0; j < nf; j++) {
      let s = this.fStart[j]!;
      let e = this.fEnd[j]!;
      while (s < e && isSpace(buf[s]!)) s++;
      while (e > s && isSpace(buf[e - 1]!)) e--;
      let src = buf;
      if (this.fFlag[j] === 2) ({ buf: src, s, e } = this.unescape(buf, s, e));
      let name: string;
      try {
        name = fatal.decode(src.subarray(s, e)).trim();
      } catch {
        throw new CsvError(`${this.name}: the file is not UTF-8 text (in the header)`);
      }
      header.push(name);
    }
    const seen = new Set<string>();
    const only = this.options.only ? new Set(this.options.only) : null;
    const skip = new Set(this.options.skip ?? []);
    this.states = header.map((name, j) => {
      if ((only && !only.has(name)) || skip.has(name)) return null;
      if (seen.has(name)) throw new CsvError(`${this.name}: duplicate column "${name}"`);
      seen.add(name);
      const forced = this.options.allText
        ? 'categorical'
        : this.options.types && Object.hasOwn(this.options.types, name)
          ? this.options.types[name]
          : undefined;
      return new ColumnState(name, j, forced);
    });
    this.active = this.states.filter((s): s is ColumnState => s !== null);
    this.header = header;
    if (this.fStart.length < nf + 1) this.ensureFields(nf + 1);
  }
}

async function* chunksOf(source: CsvChunks): AsyncGenerator<Uint8Array> {
  if (typeof (source as ByteStream).getReader === 'function') {
    const reader = (source as ByteStream).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Bytes of a whole-file source, in 4 MB slices. */
function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  const step = 1 << 22;
  for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, i + step);
}

function opener(source: CsvSource): { open: () => CsvChunks; again: boolean } {
  if (typeof source === 'string') {
    const bytes = new TextEncoder().encode(source);
    return { open: () => slices(bytes), again: true };
  }
  if (source instanceof Uint8Array) return { open: () => slices(source), again: true };
  if (typeof source === 'function') return { open: source, again: true };
  return { open: () => source, again: false };
}

async function readOnce(open: () => CsvChunks, options: CsvReadOptions) {
  const parser = new CsvColumnParser(options);
  for await (const chunk of chunksOf(open())) parser.push(chunk);
  return { table: parser.finish(), reread: parser.reread() };
}

/**
 * Reads a CSV (header row first, comma-separated, RFC 4180 quoting, LF or CRLF, UTF-8 with or without a BOM)
 * into typed columns in one streaming pass. Cells are trimmed; a blank cell is missing; a record whose cells are
 * all blank is skipped. A column is numerical while every value is a number (NaN where missing), else
 * categorical (codes into a dictionary in order of first appearance); a column that turns to text after
 * numbers is read again as categorical, which needs a re-openable source. Errors (`CsvError`) name the source:
 * an empty file, a record with the wrong number of fields or an unbalanced quote (with its line), bytes that are
 * not UTF-8, text in a forced-numerical column (with its row), duplicate column names.
 * Example: `(await readCsvColumns('a,b\n1,x\n', { name: 'f.csv' })).columns.get('a')` → numerical [1].
 */
export async function readCsvColumns(source: CsvSource, options: CsvReadOptions = {}): Promise<CsvColumns> {
  const { open, again } = opener(source);
  const first = await readOnce(open, options);
  if (first.reread.length === 0) return first.table;
  const name = options.name ?? 'input';
  if (!again) {
    throw new CsvError(
      `${name}: column "${first.reread[0]}" holds text after numbers; give its type or a re-readable source`,
    );
  }
  const again2 = new Set(first.reread);
  const types: Record<string, CsvColumnType> = {};
  for (const column of again2) types[column] = 'categorical';
  const second = await readOnce(open, { name, only: [...again2], types });
  const columns = new Map<string, CsvColumn>();
  for (const [column, read] of first.table.columns) {
    if (!again2.has(column)) {
      columns.set(column, read);
      continue;
    }
    const text = second.table.columns.get(column)!;
    if (text.type !== 'categorical') throw new Error(`re-reading column "${column}" did not give text`);
    const firstText = read.type === 'numerical' ? null : read.firstText;
    columns.set(column, { ...text, firstText });
  }
  return { ...first.table, columns };
}
