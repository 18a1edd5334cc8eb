// Workers entry, lite engine: pmm's pure-TS ONNX evaluator, no ONNX Runtime in the bundle (`wrangler deploy --env lite`).
import { createLitePredictor } from '@pmm/core/onnx';
import { Runtime } from './edge-node';
import { createWorker } from './entry';

export default createWorker(new Runtime('lite', createLitePredictor));
