// @pmm/core/shadow: production and a challenger scored on the same logged rows, compared and rendered.
export * from './compare';
export * from './render-html';
