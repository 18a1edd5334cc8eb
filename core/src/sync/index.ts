// @pmm/core/sync: the protocol between edge nodes and the sync server.
export * from './ingest';
export * from './model-names';
