// @pmm/core/simulate: realistic prediction traffic with documented drift injection.
export * from './traffic';
