// The edge's request body limits; reading under a limit is core's (`@pmm/core/http`).
export { readJsonBody } from '@pmm/core/http';

/** Body limit for the public API. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Body limit for `POST /admin/models` (a model card plus a base64 ONNX artifact). */
export const MAX_MODEL_UPLOAD_BYTES = 16 * 1024 * 1024;
