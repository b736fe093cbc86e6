import type { ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';

/** Headers that describe the body of a response that an error response replaces. */
export const BODY_HEADERS: readonly string[] = [
  'content-length',
  'content-type',
  'etag',
  'last-modified',
  'content-encoding',
  'location',
];

/** How to write the status line and the body (the response's own methods, or ones saved before wrapping them). */
export interface ResponseWriter {
  writeHead(status: number): void;
  end(body: string): void;
}

/**
 * Answers `error` as Nest's default exception filter would: the status and
 * body of an `HttpException` (a 503 for an unavailable store), else a 500
 * with a generic message. For code that runs outside Nest's exception
 * filters (before routing, or once the handler has answered).
 */
export function sendErrorResponse(
  res: ServerResponse,
  error: unknown,
  writer: ResponseWriter = {
    writeHead: (status) => res.writeHead(status),
    end: (body) => res.end(body),
  },
): void {
  const { status, body } = errorResponseOf(error);
  for (const header of BODY_HEADERS) res.removeHeader(header);
  res.statusCode = status;
  res.setHeader('content-type', ERROR_CONTENT_TYPE);
  writer.writeHead(status);
  writer.end(body);
}

/** The content type of an error response's body. */
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/** What Nest's default exception filter would answer for `error`: its status and JSON body. */
export function errorResponseOf(error: unknown): { status: number; body: string } {
  const status = error instanceof HttpException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
  const response =
    error instanceof HttpException
      ? error.getResponse()
      : { statusCode: status, message: 'Internal server error' };
  const payload = typeof response === 'string' ? { statusCode: status, message: response } : response;
  return { status, body: JSON.stringify(payload) };
}
