// Parsing a decimal number straight from UTF-8 bytes, exactly as `Number(text)` would, without a regular expression.

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const latin1 = new TextDecoder('latin1');

/**
 * The number the bytes `[start, end)` spell, or NaN when they are not a number in the CSV sense:
 * `[+-]?(digits[.digits] | .digits)([eE][+-]?digits)?` with no surrounding space, and finite.
 * Up to 15 significant digits with a decimal exponent in [-22, 22] are computed directly (Clinger's fast
 * path: one exact integer times or over one exact power of ten, so correctly rounded, like `Number`);
 * anything else is validated here and handed to `Number`.
 * Example: `parseNumberBytes(bytes("-12.5e1"), 0, 7)` → -125.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  if (p >= end) return Number.NaN;
  let negative = false;
  let c = buf[p]!;
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    p++;
  }
  let mantissa = 0;
  let digits = 0; // significant digits accumulated in mantissa
  let seen = 0; // digits in the mantissa, leading zeros included
  let scale = 0; // decimal exponent adjustment from the fraction and dropped digits
  let exact = true;
  while (p < end) {
    c = buf[p]! - 0x30;
    if (c < 0 || c > 9) break;
    seen++;
    if (digits > 0 || c !== 0) {
      if (digits < 15) {
        mantissa = mantissa * 10 + c;
        digits++;
      } else {
        exact = false;
        scale++;
      }
    }
    p++;
  }
  if (p < end && buf[p] === 0x2e) {
    p++;
    while (p < end) {
      c = buf[p]! - 0x30;
      if (c < 0 || c > 9) break;
      seen++;
      if (digits > 0 || c !== 0) {
        if (digits < 15) {
          mantissa = mantissa * 10 + c;
          digits++;
          scale--;
        } else if (c !== 0) exact = false;
      } else scale--;
      p++;
    }
  }
  if (seen === 0) return Number.NaN;
  if (p < end) {
    c = buf[p]!;
    if (c !== 0x65 && c !== 0x45) return Number.NaN;
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
      expNegative = buf[p] === 0x2d;
      p++;
    }
    const expStart = p;
    let exponent = 0;
    while (p < end) {
      c = buf[p]! - 0x30;
      if (c < 0 || c > 9) return Number.NaN;
      if (exponent < 100_000) exponent = exponent * 10 + c;
      p++;
    }
    if (p === expStart) return Number.NaN;
    scale += expNegative ? -exponent : exponent;
  }
  let value: number;
  if (exact && mantissa === 0) value = 0;
  else if (exact && scale >= 0 && scale <= 22) value = mantissa * POW10[scale]!;
  else if (exact && scale < 0 && scale >= -22) value = mantissa / POW10[-scale]!;
  else {
    value = Number(latin1.decode(buf.subarray(negative || buf[start] === 0x2b ? start + 1 : start, end)));
    if (!Number.isFinite(value)) return Number.NaN;
  }
  return negative ? -value : value;
}
