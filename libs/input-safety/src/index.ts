export * from './unsafe-text';
