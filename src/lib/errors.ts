/**
 * Typed errors thrown by services; the one error handler (plugins/problem-details.ts) turns them
 * into problem+json, or an HTML page for a browser. `type` is one of PROBLEM_TYPES, each explained
 * at /docs/problems.
 */
import type { ProblemType } from './problem-types.js';

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  /** when to come back, in seconds: the error handler sends it as Retry-After */
  readonly retryAfterSeconds?: number;
  constructor(
    public readonly status: number,
    public readonly type: ProblemType,
    public readonly title: string,
    detail?: string,
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(detail: string, public readonly errors: FieldError[] = []) {
    super(400, 'validation-error', 'Dữ liệu không hợp lệ (invalid request)', detail, { errors });
  }
}

/** Shorthand for a 400 naming one field. */
export function fieldError(path: string, message: string): BadRequest {
  return new BadRequest(`${path}: ${message}`, [{ path, message }]);
}

export class Unauthorized extends AppError {
  constructor(detail = 'A valid Bearer token is required') {
    super(401, 'unauthorized', 'Chưa xác thực (unauthorized)', detail);
  }
}

export class Forbidden extends AppError {
  constructor(detail = 'Your role may not do this') {
    super(403, 'forbidden', 'Không có quyền (forbidden)', detail);
  }
}

export class NotFound extends AppError {
  constructor(detail = 'Not found') {
    super(404, 'not-found', 'Không tìm thấy (not found)', detail);
  }
}

export class Conflict extends AppError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(409, 'conflict', 'Xung đột trạng thái (conflict)', detail, extra);
  }
}

export class PreconditionFailed extends AppError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(412, 'precondition-failed', 'Phiên bản không khớp (precondition failed)', detail, extra);
  }
}

export class Unprocessable extends AppError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(422, 'unprocessable', 'Không thể xử lý (unprocessable)', detail, extra);
  }
}

export class TooManyRequests extends AppError {
  constructor(detail: string, public readonly retryAfterSeconds: number) {
    super(429, 'rate-limited', 'Quá nhiều yêu cầu (too many requests)', detail);
  }
}

export class ServiceUnavailable extends AppError {
  /** `retryAfterSeconds`: when the condition is expected to pass (sent as Retry-After) */
  constructor(detail: string, public readonly retryAfterSeconds?: number) {
    super(503, 'unavailable', 'Dịch vụ tạm thời không sẵn sàng (unavailable)', detail);
  }
}

/** PostgreSQL unique violation, as it arrives through drizzle on pg and PGlite. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
