// The loader's one way to fetch (./start.js: the wasm and the models; ./validate.js: the full validator's wasm).
//
// XMLHttpRequest (a page that replaced fetch cannot stop the tag from loading); its own JSON parsing
// (responseType 'json') is the browser's, not the page's JSON.parse.
export const get = async (url, type) => await { then: (resolve, reject) => {
  const x = new XMLHttpRequest();
  x.open('GET', url);
  x.responseType = type;
  x.timeout = 30000;
  x.onload = () => {
    if (x.status < 200 || x.status > 299) reject(Error(`HTTP ${x.status}`));
    else if (x.response == null) reject(Error('not valid JSON'));
    else resolve(x.response);
  };
  x.onerror = x.ontimeout = () => reject(Error('network error'));
  x.send();
} };
