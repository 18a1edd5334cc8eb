// The one base64 decoder of pmm's HTTP services (model uploads carry model.onnx as base64 in JSON).
import { ArtifactRejectedError } from './api-errors';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes padded standard base64 (whitespace ignored); anything else is a 422 `invalid_artifact` naming `field`.
 * @example decodeBase64('cG1t', 'onnx_base64') // Uint8Array [112, 109, 109] ("pmm")
 */
export function decodeBase64(text: string, field: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new ArtifactRejectedError('invalid_artifact', `${field} is not valid base64`);
  }
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
