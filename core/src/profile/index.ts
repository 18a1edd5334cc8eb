// @pmm/core/profile: mergeable profiles of a model's traffic and drift from them (exact or with a stated bound).
export * from './drift';
export * from './estimate';
export * from './profile';
export * from './score-bins';
export * from './sparse';
export * from './spec';
