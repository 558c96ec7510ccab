// Calibrates off the page's main thread, so the page stays responsive and can show progress.
// Module workers do not see the page's import map: the package's browser entry is imported by path.
import { calibrate } from '/pkg/calibrate-web.js';

self.onmessage = ({ data: { text, options } }) => {
  try {
    const onProgress = (progress) => self.postMessage({ progress });
    const result = calibrate(text, { ...options, onProgress });
    self.postMessage({ result });
  } catch (error) {
    self.postMessage({ error: error.message });
  }
};
self.postMessage({ ready: true });
