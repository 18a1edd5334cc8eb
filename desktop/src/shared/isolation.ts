// Cross-origin isolation for the renderer (the Vite server and Electron's app:// protocol send the same headers):
// it makes SharedArrayBuffer available, so onnxruntime-web runs WebAssembly on several threads. The app fetches
// only its own files and the sync server (CORS requests, which isolation allows).
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
