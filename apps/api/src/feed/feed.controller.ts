import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { FeedService } from '@hookline/feed';
import { FeedQueryDto } from './dto/feed.dto';

@ApiTags('feed')
@Controller('v1/tenants/:tenantId/feed')
export class FeedController {
  constructor(private readonly feed: FeedService) {}

  /**
   * The tenant's events in publish order, oldest first, after the cursor `after`. With `wait`
   * (seconds, up to 30) an empty page is held open until a matching event is published. The
   * `nextCursor` is never null: poll again with it, even after an empty page.
   */
  @Get()
  async read(@Param('tenantId') tenantId: string, @Query() query: FeedQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.on('close', onClose);
    try {
      return await this.feed.read(tenantId, { after: query.after, limit: query.limit, types: query.types, waitMs: Math.round(query.wait * 1000), signal: gone.signal });
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}
