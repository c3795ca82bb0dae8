export * from './bulk-chunks.service';
export * from './bulk-job-views';
export * from './bulk-jobs.module';
export * from './bulk-jobs.repository';
export * from './bulk-jobs.service';
export * from './bulk-row';
export * from './bulk-upload.service';
export * from './upload-rows';
