export * from './database.module';
export * from './migrator';
export * from './prisma.service';
export * from './sql-pool';
export { Prisma } from './generated/prisma/client';
export type * from './generated/prisma/client';
export * from './generated/prisma/enums';
