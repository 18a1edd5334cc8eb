// Workers entry, default engine: ONNX Runtime Web (WASM, single thread, no proxy worker).

import { Runtime } from './edge-node';
import { createWorker } from './entry';
import { createWorkerOrtPredictor } from './ort-engine';

export default createWorker(new Runtime('ort', createWorkerOrtPredictor));
