// The shape endpoint's public surface: routes to mount, the change notifier ingest calls, handle rotation, config.
//
//   app.route('/', createShapeRoutes({ database: () => services.require().database, config: config.shapes }))
//   notifyShapeChange('predictions')              // after a commit that wrote rows of a synced table
//   await rotateShapeHandle('drift_reports', db)  // after deleting rows: clients refetch (409 must-refetch)
//
// Values follow Electric's wire format (every value text, parsed by the client per `electric-schema`), except
// that int8 columns (seq, ids) are declared `text`, so they arrive as decimal strings, never BigInt.
export { ANALYST_APP_ORIGINS, DEFAULT_SHAPE_CONFIG, type ShapeConfig } from './config';
export { notifyShapeChange, ShapeNotifier, shapeNotifier } from './notifier';
export {
  createShapeRoutes,
  ELECTRIC_HEADERS,
  SHAPE_CHANGES_PATH,
  SHAPE_PATH,
  type ShapeRoutesOptions,
} from './routes';
export { EPOCH_TABLE, rotateShapeHandle } from './store';
export { FIRST_SEQ_COLUMN, isShapeTable, SHAPE_TABLE_NAMES, type ShapeTable, TABLE_SPECS } from './tables';
