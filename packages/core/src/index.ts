export * from './vocabulary';
export * from './search-vocabulary';
export * from './mistakes';
export * from './candidates';
export * from './validate-verdict';
export * from './formats';
export * from './numpy';
export * from './dawid-skene';
