export * from './replay-filter';
export * from './replay-runner';
export * from './replay.view';
export * from './replays.service';
export * from './replays.module';
