// @pmm/core/random: the Mersenne Twister and the Python and numpy draws ported from it, so seeded results match.

export { Mt19937, type Mt19937State } from './mt19937';
export { NumpyRandomState } from './numpy-random-state';
export { PythonRandom } from './python-random';
