// @pmm/core/http: what pmm's HTTP services share — the typed API errors and their JSON shape.
export * from './api-errors';
export * from './read-body';
