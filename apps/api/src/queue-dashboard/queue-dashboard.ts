import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeysService } from '@hookline/auth';
import { problem } from '@hookline/http-problem';
import { DeliveryQueues, OPERATOR_EVENTS_QUEUE, REPLAYS_QUEUE } from '@hookline/queue';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues, for the admin key only. Browsers cannot send a bearer token, so
 * HTTP Basic is accepted too, with the admin key as the password (any user name): the browser
 * asks for it once. The deliveries queues (one per shard) are read-only there: Postgres owns delivery state, and a
 * job removed or retried by hand would disagree with it (use replays instead).
 */
export function mountQueueDashboard(app: NestFastifyApplication): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  const queue = (name: string) => app.get<Queue>(getQueueToken(name), { strict: false });
  createBullBoard({
    queues: [
      ...app.get(DeliveryQueues, { strict: false }).all.map((shard) => new BullMQAdapter(shard, { readOnlyMode: true })),
      new BullMQAdapter(queue(REPLAYS_QUEUE)),
      new BullMQAdapter(queue(OPERATOR_EVENTS_QUEUE)),
    ],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Hookline queues' } },
  });
  const admitOnlyAdmin = adminOnly(app.get(ApiKeysService, { strict: false }));
  // One scope for the board and its gate: the hook guards the board's routes and nothing else.
  void app
    .getHttpAdapter()
    .getInstance()
    .register(
      async (board) => {
        board.addHook('onRequest', admitOnlyAdmin);
        await board.register(serverAdapter.registerPlugin());
      },
      { prefix: QUEUE_DASHBOARD_PATH },
    );
}

function adminOnly(apiKeys: ApiKeysService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const refuse = (status: number, detail: string) => {
      if (status === 401) void reply.header('WWW-Authenticate', 'Basic realm="Hookline queues", charset="UTF-8"');
      return reply
        .code(status)
        .type('application/problem+json')
        .send(JSON.stringify(problem(status, detail)));
    };
    const token = credentials(request.headers.authorization ?? '');
    if (!token) return refuse(401, 'The queue dashboard needs the admin key (Bearer, or HTTP Basic with the key as password)');
    const principal = await apiKeys.authenticate(token);
    if (!principal) return refuse(401, 'Unknown or revoked API key');
    if (principal.kind !== 'admin') return refuse(403, 'The queue dashboard needs the admin API key');
  };
}

/** The key from `Bearer <key>` or from the password of `Basic base64(user:key)`. */
export function credentials(header: string): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}
