export * from './common';
export * from './auth';
export * from './projects';
export * from './review';
export * from './manifest';
export * from './consensus';
export * from './items';
export * from './users';
