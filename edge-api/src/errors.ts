// The edge's API errors: the shared ones from core, plus its own (model installs, no model yet).
import { ApiError } from '@pmm/core/http';

export {
  ApiError,
  ConflictError,
  type ErrorBody,
  type ErrorStatus,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  toErrorBody,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@pmm/core/http';

/** A pushed or pulled model was refused (bad checksum, unreadable ONNX, canary out of range). */
export class ModelRejectedError extends ApiError {
  constructor(
    reason: 'sha256_mismatch' | 'invalid_artifact' | 'canary_failed' | 'invalid_card' | 'engine_unsupported',
    message: string,
  ) {
    super(422, reason, message);
    this.name = 'ModelRejectedError';
  }
}

export class NoModelError extends ApiError {
  constructor(message = 'no model is installed on this node') {
    super(503, 'no_model', message);
    this.name = 'NoModelError';
  }
}
