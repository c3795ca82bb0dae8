export * from './pagination';
export * from './page-query.dto';
