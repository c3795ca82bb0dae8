import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@hookline/database';
import { FieldError, ProblemException } from '@hookline/http-problem';
import { Page } from '@hookline/pagination';
import { ChangeAnnouncer } from '@hookline/queue';
import { EventTypeSchemaCache } from './event-type-schema-cache';
import { EventTypeValidators } from './event-type-validators';
import { compileJsonSchema, dataFieldErrors, JsonSchema } from './json-schema';

export interface EventTypeView {
  name: string;
  description: string | null;
  schema: JsonSchema | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EventTypeCreateInput {
  name: string;
  description?: string | null;
  schema?: JsonSchema | null;
}

export type EventTypeUpdateInput = Omit<EventTypeCreateInput, 'name'>;

@Injectable()
export class EventTypesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly schemaCache: EventTypeSchemaCache,
    private readonly validators: EventTypeValidators,
    private readonly announcer: ChangeAnnouncer,
  ) {}

  /** Each write announces the name once committed: publishes cache a type's schema, or its absence. */
  async create(input: EventTypeCreateInput): Promise<EventTypeView> {
    assertCompiles(input.schema);
    const row = await this.prisma.eventType
      .create({ data: { name: input.name, description: input.description ?? null, schema: jsonColumn(input.schema) } })
      .catch((error: unknown) => {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new ProblemException(409, `Event type ${input.name} already exists`, [{ field: 'name', message: 'already exists' }], 'conflict');
        }
        throw error;
      });
    await this.announcer.announce(this.schemaCache, input.name);
    return view(row);
  }

  /** Alphabetical (a catalogue, not a feed); the cursor is the last name shown. */
  async list(limit: number, cursor?: string): Promise<Page<EventTypeView>> {
    const rows = await this.prisma.eventType.findMany({
      where: cursor ? { name: { gt: cursor } } : {},
      orderBy: { name: 'asc' },
      take: limit + 1,
    });
    const shown = rows.slice(0, limit);
    return { data: shown.map(view), nextCursor: rows.length > limit ? shown[shown.length - 1].name : null };
  }

  async get(name: string): Promise<EventTypeView> {
    const row = await this.prisma.eventType.findUnique({ where: { name } });
    if (!row) throw ProblemException.notFound('Event type');
    return view(row);
  }

  async update(name: string, input: EventTypeUpdateInput): Promise<EventTypeView> {
    assertCompiles(input.schema);
    const { count } = await this.prisma.eventType.updateMany({
      where: { name },
      data: { description: input.description, schema: jsonColumn(input.schema) },
    });
    if (count === 0) throw ProblemException.notFound('Event type');
    await this.announcer.announce(this.schemaCache, name);
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    const { count } = await this.prisma.eventType.deleteMany({ where: { name } });
    if (count === 0) throw ProblemException.notFound('Event type');
    await this.announcer.announce(this.schemaCache, name);
  }

  /** Field errors of `data` against the type's schema; none when the type is unknown or has no schema. */
  async validateData(typeName: string, data: unknown): Promise<FieldError[]> {
    const validate = (await this.validators.of(new Set([typeName]))).get(typeName);
    return !validate || validate(data) ? [] : dataFieldErrors(validate.errors ?? []);
  }
}

function assertCompiles(schema: JsonSchema | null | undefined): void {
  if (!schema) return;
  const compiled = compileJsonSchema(schema);
  if (!compiled.ok) throw ProblemException.invalid('schema', `not a valid JSON Schema: ${compiled.message}`);
}

/** undefined leaves the column alone, null clears it. */
function jsonColumn(schema: JsonSchema | null | undefined) {
  if (schema === undefined) return undefined;
  return schema === null ? Prisma.DbNull : (schema as Prisma.InputJsonObject);
}

function view(row: { name: string; description: string | null; schema: unknown; createdAt: Date; updatedAt: Date }): EventTypeView {
  return { name: row.name, description: row.description, schema: (row.schema as JsonSchema | null) ?? null, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
