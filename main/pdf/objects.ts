/**
 * The PDF object model shared by the reader, the writer, signing and validation. Arrays are
 * plain JS arrays; every other non-primitive is a class so `instanceof` discriminates.
 */

/** A PDF name such as /Type; `value` is the decoded name without the slash (#xx resolved). */
export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly value: string) {}
  /** Returns the one PdfName for this value (interned, so `===` compares names). */
  static of(value: string): PdfName {
    let n = PdfName.interned.get(value);
    if (!n) {
      n = new PdfName(value);
      // Bounded intern table: hostile files may hold millions of distinct names.
      if (PdfName.interned.size < 100_000) PdfName.interned.set(value, n);
    }
    return n;
  }
  /** True when this name equals `value`. */
  is(value: string): boolean {
    return this.value === value;
  }
}

/** A literal `( )` or hex `< >` string; `bytes` are the decoded bytes. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    /** True when written (or to be written) as a hex string. */
    readonly hex = false,
  ) {}
  /** Builds a string from Latin-1 text (PDFDocEncoding for ASCII). */
  static latin1(text: string, hex = false): PdfString {
    return new PdfString(Buffer.from(text, 'latin1'), hex);
  }
  /** Builds a text string: PDFDocEncoding when ASCII, else UTF-16BE with BOM. */
  static text(text: string): PdfString {
    if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
    const be = Buffer.from(text, 'utf16le').swap16();
    return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), true);
  }
  /** Decodes a text string (UTF-16BE with BOM, UTF-8 with BOM, else Latin-1). */
  asText(): string {
    const b = Buffer.from(this.bytes);
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
    return b.toString('latin1');
  }
}

/** An indirect reference `num gen R`. */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  /** Stable map key, e.g. "12 0". */
  get key(): string {
    return `${this.num} ${this.gen}`;
  }
  /** Same object number and generation. */
  equals(other: PdfRef): boolean {
    return this.num === other.num && this.gen === other.gen;
  }
}

/** A dictionary; keys are name values without the slash. Insertion order is kept. */
export class PdfDict {
  readonly map: Map<string, PdfObject>;
  constructor(entries?: Iterable<[string, PdfObject]> | Record<string, PdfObject>) {
    if (!entries) this.map = new Map();
    else if (Symbol.iterator in entries) this.map = new Map(entries as Iterable<[string, PdfObject]>);
    else this.map = new Map(Object.entries(entries));
  }
  /** The raw value of `key` (may be a PdfRef), or undefined. */
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
  /** Sets `key`; setting undefined deletes it. Returns this for chaining. */
  set(key: string, value: PdfObject | undefined): this {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
    return this;
  }
  /** True when `key` is present. */
  has(key: string): boolean {
    return this.map.has(key);
  }
  /** The value when it is a name, else undefined. */
  getName(key: string): string | undefined {
    const v = this.map.get(key);
    return v instanceof PdfName ? v.value : undefined;
  }
  /** The value when it is a number, else undefined. */
  getNumber(key: string): number | undefined {
    const v = this.map.get(key);
    return typeof v === 'number' ? v : undefined;
  }
  /** The value when it is a reference, else undefined. */
  getRef(key: string): PdfRef | undefined {
    const v = this.map.get(key);
    return v instanceof PdfRef ? v : undefined;
  }
  /** A shallow copy (values are shared). */
  clone(): PdfDict {
    return new PdfDict(this.map);
  }
}

/** Where a stream's raw (still encoded) bytes live when they were not loaded yet. */
export interface StreamSource {
  /** Absolute offset of the first data byte in the file. */
  readonly offset: number;
  /** Number of raw bytes (from /Length, or found by repair). */
  readonly length: number;
  /** Reads the raw bytes (positional read; no caching here). */
  read(): Promise<Uint8Array>;
}

/** A stream: dictionary plus raw bytes, loaded lazily when read from a file. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    private source: Uint8Array | StreamSource,
  ) {}
  /** Builds an in-memory stream; /Length is set from the data. */
  static of(dict: PdfDict | Record<string, PdfObject>, data: Uint8Array): PdfStream {
    const d = dict instanceof PdfDict ? dict : new PdfDict(dict);
    d.set('Length', data.length);
    return new PdfStream(d, data);
  }
  /** The file location of the raw bytes, when the stream came from a file. */
  get location(): { offset: number; length: number } | undefined {
    return this.source instanceof Uint8Array ? undefined : { offset: this.source.offset, length: this.source.length };
  }
  /** Raw length in bytes without reading anything. */
  get rawLength(): number {
    return this.source.length;
  }
  /** The raw (encoded) bytes; reads the file once when lazy. Use decodeStream() for data. */
  async raw(): Promise<Uint8Array> {
    if (this.source instanceof Uint8Array) return this.source;
    const data = await this.source.read();
    // Keep small streams; large ones (scanned images) are re-read so memory stays bounded.
    if (data.length <= 1 << 20) this.source = data;
    return data;
  }
}

/**
 * Pre-serialized bytes written verbatim by the serializer (fixed-width placeholders such as
 * /Contents and /ByteRange). Never produced by the parser.
 */
export class PdfRaw {
  constructor(readonly text: string) {}
}

/** Any PDF object. Integers and reals are both JS numbers. */
export type PdfObject = null | boolean | number | PdfName | PdfString | PdfRef | PdfDict | PdfStream | PdfRaw | PdfObject[];

/** A PDF array. */
export type PdfArray = PdfObject[];

/** Shorthand for PdfName.of. */
export const name = (value: string): PdfName => PdfName.of(value);

/** Shorthand for a PdfDict from a record. */
export const dict = (entries: Record<string, PdfObject> = {}): PdfDict => new PdfDict(entries);

/** Narrowing helper for PDF arrays. */
export function isArray(o: PdfObject | undefined): o is PdfObject[] {
  return Array.isArray(o);
}
