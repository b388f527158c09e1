/**
 * A reader for Python literals, the subset of Python that `ast.literal_eval` accepts and dask uses to interpret
 * `DASK_*` environment variables: numbers, strings, `True`/`False`/`None`, lists, tuples, sets and dicts.
 * Tuples and sets become arrays; dict keys must be strings or numbers (they become object keys).
 * Complex numbers, bytes semantics and f-strings are not supported (such input is not a literal here).
 */

/**
 * Reads `text` as one Python literal.
 *
 * @returns `{ value }` when the whole text is a literal, `undefined` when it is not (dask then keeps the text).
 */
export function parsePythonLiteral(text: string): { value: unknown } | undefined {
  const reader = new LiteralReader(text);
  try {
    const value = reader.literal();
    reader.skipSpace();
    return reader.atEnd() ? { value } : undefined;
  } catch (error) {
    if (error instanceof NotALiteral) return undefined;
    throw error;
  }
}

class NotALiteral extends Error {}

const DIGITS = String.raw`\d(?:_?\d)*`;
const EXPONENT = String.raw`(?:[eE][+-]?${DIGITS})`;
/** Python's integer and float literals: `0x1F`, `0o17`, `0b101`, `1_000`, `.5`, `1.`, `1e6` (no sign, no `j`). */
const NUMBER = new RegExp(
  String.raw`^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:${DIGITS})?\.${DIGITS}${EXPONENT}?|${DIGITS}\.?${EXPONENT}?)`,
);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const STRING_PREFIX = /^(?:[rR][bB]?|[bB][rR]?|[uU])?(?='|")/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

const RADIX: Readonly<Record<string, number>> = { x: 16, o: 8, b: 2 };

/** Recursive-descent reader over `text`; every method throws `NotALiteral` on input outside the grammar. */
class LiteralReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos === this.text.length;
  }

  /** Skips whitespace, line continuations and comments. */
  skipSpace(): void {
    this.pos += /^(?:\s|\\\r?\n|#[^\n]*)*/.exec(this.rest())?.[0].length ?? 0;
  }

  literal(): unknown {
    this.skipSpace();
    const rest = this.rest();
    const first = rest[0];
    if (first === "[") {
      this.pos++;
      return this.itemsUntil("]", []);
    }
    if (first === "(") return this.parenthesized();
    if (first === "{") return this.braces();
    if (first === "+" || first === "-") {
      this.pos++;
      this.skipSpace();
      const number = this.number();
      return first === "-" ? -number : number;
    }
    if (STRING_PREFIX.test(rest)) return this.strings();
    if (first !== undefined && /[0-9.]/.test(first)) return this.number();
    const word = IDENTIFIER.exec(rest)?.[0];
    this.pos += word?.length ?? 0;
    if (word === "True") return true;
    if (word === "False") return false;
    if (word === "None") return null;
    throw new NotALiteral();
  }

  private rest(): string {
    return this.text.slice(this.pos);
  }

  /** Skips space, then consumes `token` if it comes next. */
  private take(token: string): boolean {
    this.skipSpace();
    if (!this.rest().startsWith(token)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.take(token)) throw new NotALiteral();
  }

  private number(): number {
    const match = NUMBER.exec(this.rest())?.[0];
    if (match === undefined) throw new NotALiteral();
    this.pos += match.length;
    // Python forbids leading zeros in decimal integers ("01") and a number glued to a name ("1j", "1x").
    if (/^0\d*[1-9]/.test(match) && !/[.eExXoObB]/.test(match)) throw new NotALiteral();
    if (/^[A-Za-z0-9_]/.test(this.rest())) throw new NotALiteral();
    const digits = match.replaceAll("_", "");
    const radix = digits[0] === "0" ? RADIX[(digits[1] ?? "").toLowerCase()] : undefined;
    return radix === undefined ? Number(digits) : parseInt(digits.slice(2), radix);
  }

  /** One or more adjacent string literals, concatenated as Python does (`'a' "b"` is `'ab'`). */
  private strings(): string {
    let value = this.string();
    for (this.skipSpace(); STRING_PREFIX.test(this.rest()); this.skipSpace()) value += this.string();
    return value;
  }

  private string(): string {
    const prefix = STRING_PREFIX.exec(this.rest())?.[0] ?? "";
    const raw = /r/i.test(prefix);
    this.pos += prefix.length;
    const triple = this.rest().slice(0, 3);
    const quote = triple === "'''" || triple === '"""' ? triple : this.rest().slice(0, 1);
    this.pos += quote.length;
    let value = "";
    while (!this.rest().startsWith(quote)) {
      const char = this.text[this.pos];
      if (char === undefined || (char === "\n" && quote.length === 1)) throw new NotALiteral();
      if (char !== "\\") {
        value += char;
        this.pos++;
      } else if (raw) {
        value += this.text.slice(this.pos, this.pos + 2);
        this.pos += 2;
      } else {
        value += this.escape();
      }
    }
    this.pos += quote.length;
    return value;
  }

  /** Reads the escape sequence at `pos` (on the backslash) and returns what it stands for. */
  private escape(): string {
    const next = this.text[this.pos + 1];
    if (next === undefined) throw new NotALiteral();
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    const coded = /^\\(?:([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(this.rest());
    if (coded) {
      this.pos += coded[0].length;
      const [, octal, ...hex] = coded;
      const code = octal === undefined ? parseInt(hex.find((h) => h !== undefined) ?? "", 16) : parseInt(octal, 8);
      if (code > 0x10ffff) throw new NotALiteral();
      return String.fromCodePoint(code);
    }
    if (/[xuUN]/.test(next)) throw new NotALiteral();
    // Python keeps unknown escapes as written: the backslash stays, the next character is read normally.
    this.pos += 1;
    return "\\";
  }

  /**
   * Reads comma-separated literals up to and including `close` (a trailing comma is allowed), after the opening
   * bracket and the `items` already read.
   */
  private itemsUntil(close: string, items: unknown[]): unknown[] {
    while (!this.take(close)) {
      if (items.length > 0) {
        this.expect(",");
        if (this.take(close)) break;
      }
      items.push(this.literal());
    }
    return items;
  }

  /** `()` and `(a, b)` are tuples (arrays), `(a)` is just `a`. */
  private parenthesized(): unknown {
    this.expect("(");
    if (this.take(")")) return [];
    const first = this.literal();
    return this.take(")") ? first : this.itemsUntil(")", [first]);
  }

  /** `{}` and `{k: v, ...}` are dicts, `{a, b}` is a set (an array). */
  private braces(): unknown {
    this.expect("{");
    if (this.take("}")) return {};
    const first = this.literal();
    if (!this.take(":")) return this.itemsUntil("}", [first]);
    const dict: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      if (typeof key !== "string" && typeof key !== "number") throw new NotALiteral();
      dict[String(key)] = this.literal();
      if (this.take("}")) return dict;
      this.expect(",");
      if (this.take("}")) return dict;
      key = this.literal();
      this.expect(":");
    }
  }
}
