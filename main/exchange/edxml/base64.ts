/** Strict streaming base64 decoder: whitespace allowed, anything else outside the alphabet rejected. */

/** Incremental base64 decoder; throws on invalid characters or misplaced padding. */
export class Base64Decoder {
  private rest = '';
  private done = false;

  /** Decodes the next piece of text; returns the bytes complete so far. */
  push(text: string): Buffer {
    const clean = text.replace(/[ \t\r\n]+/g, '');
    if (!clean) return Buffer.alloc(0);
    if (this.done || !/^[A-Za-z0-9+/=]*$/.test(clean)) throw new Error('invalid base64');
    const s = this.rest + clean;
    const eq = s.indexOf('=');
    // Padding may only end the data: at most two '=' and nothing after them.
    if (eq >= 0 && (!/^=+$/.test(s.slice(eq)) || s.length - eq > 2 || eq % 4 < 2)) throw new Error('invalid base64 padding');
    const cut = s.length - (s.length % 4);
    this.rest = s.slice(cut);
    if (eq >= 0 && eq < cut) {
      if (this.rest) throw new Error('invalid base64 padding');
      this.done = true;
    }
    return Buffer.from(s.slice(0, cut), 'base64');
  }

  /** Ends the stream; a dangling partial quantum is an error. */
  end(): void {
    if (this.rest.length) throw new Error('truncated base64');
  }
}
