// Which models the centre retrains: pmm's own (and cards from before `origin` existed), never an imported one.
import { describe, expect, it } from 'vitest';
import { IMPORTED_RETRAIN_MESSAGE, retrainScope } from './scope';

describe('retrainScope', () => {
  it('retrains models pmm trained, and older cards without an origin', () => {
    expect(retrainScope({ version: 'churn-1', origin: { kind: 'trained' } })).toEqual({ retrainable: true });
    expect(retrainScope({ version: 'churn-0' })).toEqual({ retrainable: true });
  });

  it('says plainly that an imported model needs its own pipeline and `pmm models register`', () => {
    const scope = retrainScope({
      version: 'model-imported-1',
      origin: { kind: 'imported', file: 'fraud.onnx', producer: 'skl2onnx' },
    });
    expect(scope).toEqual({
      retrainable: false,
      reason: `model-imported-1 was imported from ONNX: ${IMPORTED_RETRAIN_MESSAGE}`,
    });
    expect(IMPORTED_RETRAIN_MESSAGE).toBe(
      'retraining needs your own pipeline; register new versions with `pmm models register`',
    );
  });
});
