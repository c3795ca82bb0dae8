import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from './problem.exception';

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

/**
 * Request bodies are JSON: a body sent without `content-type`, or with another one, is 415 (it
 * would otherwise reach validation unread, as if the body were missing). A route that documents
 * other media types with @ApiConsumes (bulk uploads) reads and checks its body itself.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const consumes = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [context.getHandler(), context.getClass()]);
    if (consumes?.length) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!hasBody(request)) return true;
    const contentType = request.headers['content-type'];
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (JSON_MEDIA_TYPE.test(mediaType)) return true;
    throw new ProblemException(415, 'Send the request body as JSON (content-type: application/json)', [
      { field: 'content-type', message: contentType ? `${mediaType || contentType} is not supported; use application/json` : 'is required with a body; use application/json' },
    ]);
  }
}

function hasBody(request: FastifyRequest): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}
