// Loaded once per context, before the vendored libraries: the browser-like globals they look for.
// No host objects exist in the isolate: no require, process, fetch, timers or file access.
var module = undefined, exports = undefined, define = undefined;
// mini-racer installs setTimeout over Atomics.waitAsync: its callbacks would run outside any
// evaluation, so outside the wall-time limit. pm.js offers a setTimeout that runs within the script.
delete globalThis.setTimeout;
delete globalThis.clearTimeout;
delete globalThis.__timer_manager;
delete Atomics.waitAsync;
var window = globalThis, self = globalThis;
(function () {
  // crypto.getRandomValues for uuid and crypto-js: xorshift128+ seeded from the host's
  // os.urandom at every event (__wc.begin), not a cryptographic generator.
  var s0 = 0x9e3779b9, s1 = 0x243f6a88, s2 = 0xb7e15162, s3 = 0x7f4a7c15;
  function next() {
    var t = s3;
    var s = s0;
    s3 = s2; s2 = s1; s1 = s;
    t ^= t << 11; t ^= t >>> 8;
    s0 = (t ^ s ^ (s >>> 19)) >>> 0;
    return s0;
  }
  globalThis.crypto = {
    getRandomValues: function (array) {
      for (var i = 0; i < array.length; i++) array[i] = next() & (array.BYTES_PER_ELEMENT === 1 ? 0xff : 0xffffffff);
      return array;
    },
    __seed: function (a, b, c, d) { s0 = a >>> 0 || 1; s1 = b >>> 0; s2 = c >>> 0; s3 = d >>> 0; },
  };
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  globalThis.btoa = function (input) {
    var str = String(input), out = "";
    for (var i = 0; i < str.length; i += 3) {
      var a = str.charCodeAt(i), b = str.charCodeAt(i + 1), c = str.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error("btoa: the string holds characters outside Latin-1");
      var n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < str.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < str.length ? B64[n & 63] : "=");
    }
    return out;
  };
  globalThis.atob = function (input) {
    var str = String(input).replace(/[\s=]+/g, ""), out = "", bits = 0, acc = 0;
    for (var i = 0; i < str.length; i++) {
      var v = B64.indexOf(str[i]);
      if (v < 0) throw new Error("atob: the string is not valid base64");
      acc = (acc << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 0xff); }
    }
    return out;
  };
})();
