// @pmm/core/simulate: realistic prediction traffic with documented drift injection.

export * from './synthetic-table';
export * from './traffic';
