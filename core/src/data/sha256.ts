// SHA-256 as lowercase hex, with the Web Crypto API every pmm runtime provides.

/** Hex SHA-256 of bytes or of a string's UTF-8 encoding. `await sha256Hex('abc')` → 'ba7816bf…'. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
