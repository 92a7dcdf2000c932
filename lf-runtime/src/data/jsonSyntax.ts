/**
 * Locates JSON syntax errors by line and column. Node 20's JSON.parse often reports neither ("Unexpected
 * token '}', ... is not valid JSON"), and users fix files by jumping to a place, so after JSON.parse fails we
 * re-scan the text with this small checker, which stops at the first error it finds.
 */

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, counted in UTF-16 code units like VS Code does. */
  column: number;
  message: string;
}

/** Parses `text`, or throws a JsonParseError carrying the line and column of the first syntax error. */
export function parseJsonWithLocation(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const located = findJsonSyntaxError(text);
    const fallback = err instanceof Error ? err.message : String(err);
    throw new JsonParseError(located ?? { line: 1, column: 1, message: fallback });
  }
}

export class JsonParseError extends Error {
  constructor(readonly location: JsonSyntaxError) {
    super(`line ${location.line}, column ${location.column}: ${location.message}`);
    this.name = 'JsonParseError';
  }
}

/** Returns the first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const scanner = new JsonScanner(text);
  try {
    scanner.skipWhitespace();
    if (scanner.pos >= text.length) scanner.fail('the text is empty; expected a JSON value');
    scanner.value(0);
    scanner.skipWhitespace();
    if (scanner.pos < text.length) scanner.fail(`unexpected ${describeChar(text[scanner.pos])} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (err instanceof ScanFailure) return locate(text, err.pos, err.message);
    throw err;
  }
}

class ScanFailure extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

/** Deep nesting is legal JSON but would overflow our recursion; JSON.parse accepted it if we got here anyway. */
const MAX_DEPTH = 5000;

class JsonScanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string, pos = this.pos): never {
    throw new ScanFailure(pos, message);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('the JSON nests too deeply');
    this.skipWhitespace();
    const t = this.text;
    if (this.pos >= t.length) this.fail('unexpected end of file; expected a value');
    const c = t[this.pos];
    if (c === '{') this.object(depth);
    else if (c === '[') this.array(depth);
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (t.startsWith('true', this.pos)) this.pos += 4;
    else if (t.startsWith('false', this.pos)) this.pos += 5;
    else if (t.startsWith('null', this.pos)) this.pos += 4;
    else this.fail(`unexpected ${describeChar(c)}; expected a value (object, array, string, number, true, false or null)`);
  }

  private object(depth: number): void {
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') {
        if (this.text[this.pos] === '}') this.fail("trailing comma before '}' is not allowed in JSON");
        this.fail(`expected a property name in double quotes, found ${this.describeHere()}`);
      }
      this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the property name, found ${this.describeHere()}`);
      this.pos++;
      this.value(depth + 1);
      if (!this.nextMember('}', 'a property value')) return;
    }
  }

  private array(depth: number): void {
    this.pos++; // '['
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] === ']') this.fail("trailing comma before ']' is not allowed in JSON");
      this.value(depth + 1);
      if (!this.nextMember(']', 'an array element')) return;
    }
  }

  /** After a member of an object or array: true after ',' (another member follows), false at `close`. */
  private nextMember(close: '}' | ']', what: string): boolean {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === ',' || c === close) {
      this.pos++;
      return c === ',';
    }
    this.fail(`expected ',' or '${close}' after ${what}, found ${this.describeHere()}`);
  }

  private string(): void {
    const t = this.text;
    const start = this.pos;
    this.pos++; // opening quote
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return;
      }
      if (c === 0x5c) {
        const next = t[this.pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) this.fail('invalid \\u escape in string');
          this.pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) this.pos += 2;
        else this.fail(`invalid escape '\\${next ?? ''}' in string`);
        continue;
      }
      if (c < 0x20) this.fail('unescaped control character (e.g. a raw newline or tab) inside a string; write it as \\n or \\t');
      this.pos++;
    }
    this.fail('unterminated string: missing closing double quote', start);
  }

  private number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match || match[0] === '-') this.fail('invalid number');
    this.pos += match[0].length;
  }

  private describeHere(): string {
    return this.pos >= this.text.length ? 'end of file' : describeChar(this.text[this.pos]);
  }
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return 'end of file';
  if (c === '\n') return 'line break';
  if (c === "'") return "\"'\" (JSON strings need double quotes)";
  return `'${c}'`;
}

/** Converts a character offset to a 1-based line and column. */
export function locate(text: string, pos: number, message: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1, message };
}
