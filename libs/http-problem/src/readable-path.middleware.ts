import type { RequestHandler } from 'express';
import { unsafeStringReason } from '@hookline/input-safety';
import { ProblemException } from './problem.exception';

/**
 * A path that does not decode to valid Unicode text (`%ED%A0%80`, `%FF`) or holds a NUL (`%00`)
 * cannot name anything Hookline stores: 404, before routing, so no id like it reaches a guard or
 * a query. (Express would answer "Failed to decode param" with a 400.)
 */
export const readablePathsOnly: RequestHandler = (request, _response, next) => {
  let path: string;
  try {
    path = decodeURIComponent(request.path);
  } catch {
    return next(noSuchResource());
  }
  next(unsafeStringReason(path) ? noSuchResource() : undefined);
};

function noSuchResource() {
  return new ProblemException(404, 'No such resource: the path is not valid text');
}
