// The sync server's request body limits (enforced by core's `jsonBodyLimit` / `limitBody`, Hono's bodyLimit).

const MiB = 1024 * 1024;
/** Ingest requests: 5,000 rows of ~1 KB, with room to spare. */
export const MAX_INGEST_BODY_BYTES = 20 * MiB;
/** Decoded model.onnx. */
export const MAX_ONNX_BYTES = 32 * MiB;
/** A model upload: the ONNX file (base64 in JSON: +33%) plus its card. */
export const MAX_MODEL_BODY_BYTES = 48 * MiB;
/** Any other JSON request. */
export const MAX_JSON_BODY_BYTES = 1 * MiB;
