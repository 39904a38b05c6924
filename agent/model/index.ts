export * from './errors';
export * from './snapshot';
export * from './policy';
export * from './plan';
export * from './memory';
export * from './seams';
export * from './names';
