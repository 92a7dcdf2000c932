import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasUnsafeChars, PLACEHOLDER, safeJsonStringify, sanitizeLine, sanitizeMultiline } from '../../lf-runtime/src/text/controlChars.ts';

const P = PLACEHOLDER;

/** Code points no sanitised text may hold: C0 but \t \n, DEL, C1, bidi controls, CR, U+2028/9. */
function unsafeCodePoints(s: string, multiline: boolean): number[] {
  return [...s].map((ch) => ch.codePointAt(0) as number).filter(
    (c) =>
      (c < 0x20 && !(multiline && (c === 0x09 || c === 0x0a))) ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
      c === 0x2028 || c === 0x2029,
  );
}

describe('control-character sanitiser', () => {
  it('removes whole escape sequences, payload included, leaving one placeholder each', () => {
    assert.equal(sanitizeLine('\x1b]0;pwned\x07evil'), `${P}evil`, 'OSC ended by BEL');
    assert.equal(sanitizeLine('a\x1b]0;title\x1b\\b'), `a${P}b`, 'OSC ended by ESC \\');
    assert.equal(sanitizeLine('\x1b]52;c;ZWNobw==\x07x'), `${P}x`, 'OSC 52 clipboard write');
    assert.equal(sanitizeLine('\x1b[2J\x1b[31;1mred\x1b[0m'), `${P}${P}red${P}`, 'CSI with parameters');
    assert.equal(sanitizeLine('\x1b[?1049h'), P, 'private CSI');
    assert.equal(sanitizeLine('\x1bPq#0;2;0;0;0\x1b\\after'), `${P}after`, 'DCS up to ST');
    assert.equal(sanitizeLine('\x1b_payload\x9cafter'), `${P}after`, 'APC up to the 8-bit ST');
    assert.equal(sanitizeLine('x\x1bcy'), `x${P}y`, 'ESC c (full reset)');
    assert.equal(sanitizeLine('x\x1b(By'), `x${P}y`, 'charset designation with an intermediate');
    assert.equal(sanitizeLine('\u009b2Jvisible'), `${P}visible`, '8-bit CSI');
    assert.equal(sanitizeLine('\u009d0;t\u0007visible'), `${P}visible`, '8-bit OSC');
  });

  it('keeps the text after a lone or unterminated introducer, which is inert without it', () => {
    assert.equal(sanitizeLine('\x1b]0;never ended'), `${P}]0;never ended`);
    assert.equal(sanitizeLine('cut \x1b['), `cut ${P}[`);
    assert.equal(sanitizeLine('end\x1b'), `end${P}`);
    assert.equal(sanitizeLine('\u009b12;\u0001x'), `${P}12;${P}x`, 'a CSI cut off by another control');
  });

  it('replaces other C0, DEL, C1 and bidi controls with the placeholder', () => {
    assert.equal(sanitizeLine('a\x00b\x08c\x7fd\x85e'), `a${P}b${P}c${P}d${P}e`);
    assert.equal(sanitizeLine('safe\u202egnp.exe'), `safe${P}gnp.exe`, 'right-to-left override');
    assert.equal(sanitizeLine('\u2066x\u2069\u200f\u061c'), `${P}x${P}${P}${P}`, 'isolates and marks');
    assert.equal(sanitizeLine('over\rwrite'), `over${P}write`, 'a carriage return cannot rewrite the line');
  });

  it('keeps line breaks and tabs in multi-line text, and puts one-line text on one line', () => {
    const traceback = 'Traceback (most recent call last):\r\n\tFile "lfs.py", line 3\n  ValueError: x\u2028y';
    assert.equal(sanitizeMultiline(traceback), 'Traceback (most recent call last):\n\tFile "lfs.py", line 3\n  ValueError: x\ny');
    assert.equal(sanitizeLine(traceback), 'Traceback (most recent call last):  File "lfs.py", line 3   ValueError: x y');
    assert.equal(sanitizeMultiline('a\rb'), `a${P}b`);
  });

  it('returns safe text unchanged (the same string) and is idempotent', () => {
    const plain = 'keyword_my: ZeroDivisionError — division by zero · ünïcödé 😀';
    assert.equal(sanitizeLine(plain), plain);
    assert.equal(sanitizeMultiline(`${plain}\n\t${plain}`), `${plain}\n\t${plain}`);
    const hostile = '\x1b]0;t\x07\x1b[2J\u009b\u202e\r\n\x00\x7f\u0085\x1b';
    for (const f of [sanitizeLine, sanitizeMultiline]) assert.equal(f(f(hostile)), f(hostile));
  });

  it('leaves no unsafe code point in any text, whatever it holds', () => {
    // Every code point up to U+00A0 plus the bidi range, in many orders and combinations.
    const pieces = [...Array.from({ length: 0xa1 }, (_, i) => String.fromCharCode(i)), '\u061c', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '[', ']', 'P', '\\'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let t = 0; t < 3000; t++) {
      let s = '';
      for (let k = next() % 24; k > 0; k--) s += k % 3 === 0 ? '\x1b' : pieces[next() % pieces.length];
      assert.deepEqual(unsafeCodePoints(sanitizeLine(s), false), [], JSON.stringify(s));
      assert.deepEqual(unsafeCodePoints(sanitizeMultiline(s), true), [], JSON.stringify(s));
      assert.equal(hasUnsafeChars(sanitizeMultiline(s)), false);
      assert.equal(hasUnsafeChars(s), unsafeCodePoints(s, true).length > 0);
    }
  });

  it('writes JSON whose text is safe to print and whose values are exact', () => {
    const value = { name: '\x1b]0;pwned\x07evil', msg: 'a\u0085b\u202ec\x7fd\u2028', ok: 'plain · text' };
    const text = safeJsonStringify(value);
    assert.deepEqual(unsafeCodePoints(text, false), []);
    assert.deepEqual(JSON.parse(text), value);
    assert.match(text, /\\u0085/);
    assert.match(text, /plain · text/, 'other non-ASCII stays as it is');
  });
});
